// The fault suite's one module definition (Boost.Test's main): faults
// injected under load into a private pool and nginx (tests/support
// PrivateStack) and the shared MariaDB of scripts/test, each case printing
// its figures ("figure: ...") and asserting the targets of the README's
// "Failure behaviour" table.
#define BOOST_TEST_MODULE mfo_fault_tests
#include <boost/test/unit_test.hpp>
