#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "least_privilege_grants.hpp"

namespace {

// Every table a migration creates, by name.
std::set<std::string> migration_tables() {
    std::set<std::string> tables;
    const std::regex create(R"(CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?`?(\w+)`?)",
                            std::regex::icase);
    for (const auto& entry :
         std::filesystem::directory_iterator(MFO_SOURCE_DIR "/sql/migrations")) {
        if (entry.path().extension() != ".sql") continue;
        std::ifstream in(entry.path());
        std::stringstream text;
        text << in.rdbuf();
        const std::string sql = text.str();
        for (std::sregex_iterator it(sql.begin(), sql.end(), create), end; it != end; ++it) {
            tables.insert((*it)[1].str());
        }
    }
    return tables;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(least_privilege_grants)

// A migration that adds a table the worker reads must add its grant too, or
// the pool on the least-privilege account answers 500 there.
BOOST_AUTO_TEST_CASE(every_migration_table_has_a_worker_grant) {
    const std::string sql =
        mfo::cli::least_privilege_grants({"mfo", "mfo_app", "mfo_purge", "localhost"});
    const auto tables = migration_tables();
    BOOST_TEST(tables.size() >= 8u);  // the parse found them
    for (const auto& table : tables) {
        const std::string line = "ON `mfo`.`" + table + "` TO 'mfo_app'@'localhost'";
        BOOST_TEST(sql.find(line) != std::string::npos, "no worker grant for " << table);
    }
}

BOOST_AUTO_TEST_CASE(names_that_are_not_plain_identifiers_are_refused) {
    BOOST_CHECK_THROW(mfo::cli::least_privilege_grants({"mfo`; DROP", "mfo_app", "", "localhost"}),
                      std::invalid_argument);
    BOOST_CHECK_THROW(mfo::cli::least_privilege_grants({"mfo", "mfo_app", "", "x' OR '1"}),
                      std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
