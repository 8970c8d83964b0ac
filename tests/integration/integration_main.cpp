// The integration suite's one module definition (Boost.Test's main); the
// test cases are in the other files of this folder.
#define BOOST_TEST_MODULE mfo_integration_tests
#include <boost/test/unit_test.hpp>
