#define BOOST_TEST_MODULE mfo_unit_tests
#include <boost/test/unit_test.hpp>
