#define BOOST_TEST_MODULE mfo_integration_tests
#include <boost/test/unit_test.hpp>
