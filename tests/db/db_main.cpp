// The database suite: migrations, the admin tools and the database layer,
// against the real MariaDB that MFO_TEST_CONFIG points at.

#define BOOST_TEST_MODULE mfo_db_tests
#include <boost/test/unit_test.hpp>

#include "db_test_support.hpp"
#include "migrations.hpp"

namespace {

// Every test may assume the application database has the current schema.
struct ApplicationSchema {
    ApplicationSchema() {
        mfo::Database admin(mfo::test::test_config().database, mfo::DbAccount::admin);
        mfo::migrate(admin, MFO_SOURCE_DIR "/sql/migrations", false, nullptr);
    }
};

}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(ApplicationSchema);
