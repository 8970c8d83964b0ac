// The Database class over a list of servers ([database] hosts) and its
// re-runs of a transaction the server rolled back (1213). The Galera side of
// both (non-Primary nodes, certification failures) is in tests/cluster.

#include <cppconn/resultset.h>

#include <atomic>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "db_endpoints.hpp"
#include "db_host_health.hpp"
#include "db_test_support.hpp"

using namespace mfo;
using namespace mfo::test;

namespace {

DbEndpoint socket_endpoint(const std::string& path) {
    DbEndpoint e;
    e.socket = path;
    return e;
}

// Collects the process's change-of-server lines for one test.
struct HostLog {
    std::mutex mutex;
    std::vector<std::string> lines;
    HostLog() {
        DbHostHealth::process().set_logger([this](const std::string& line) {
            const std::lock_guard<std::mutex> lock(mutex);
            lines.push_back(line);
        });
    }
    ~HostLog() {
        DbHostHealth::process().set_logger([](const std::string&) {});
    }
};

// One-shot event between two threads, waited on with a bound.
struct Signal {
    std::mutex mutex;
    std::condition_variable cv;
    bool set = false;
    void raise() {
        {
            const std::lock_guard<std::mutex> lock(mutex);
            set = true;
        }
        cv.notify_all();
    }
    bool wait() {
        std::unique_lock<std::mutex> lock(mutex);
        return cv.wait_for(lock, std::chrono::seconds(10), [&] { return set; });
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(database_failover)

BOOST_AUTO_TEST_CASE(a_dead_first_host_is_skipped_logged_once_and_tried_last) {
    HostLog log;
    const std::string dead = "/nonexistent/mfo-failover-" + unique_suffix() + ".sock";
    DatabaseConfig config = test_config().database;
    BOOST_REQUIRE(!config.socket.empty());
    const std::string live = config.socket;
    config.hosts = {socket_endpoint(dead), socket_endpoint(live)};
    config.connect_timeout = 1;

    Database db(config, DbAccount::app);
    BOOST_TEST(select_one(db) == 1);
    BOOST_TEST(db.endpoint() == "unix:" + live);
    BOOST_TEST(!db.galera());
    BOOST_TEST(db.causal("SELECT 1") == "SELECT 1");  // plain server: no wait
    BOOST_TEST(DbHostHealth::process().is_down(socket_endpoint(dead)));

    // A second connection of the process goes straight to the live one:
    // no second line.
    Database second(config, DbAccount::app);
    BOOST_TEST(select_one(second) == 1);
    const std::lock_guard<std::mutex> lock(log.mutex);
    BOOST_REQUIRE_EQUAL(log.lines.size(), 1u);
    BOOST_TEST(log.lines[0].find("database: using unix:" + live + " (unix:" + dead + ": ") == 0u,
               log.lines[0]);
}

BOOST_AUTO_TEST_CASE(every_host_down_is_db_unavailable_naming_each) {
    HostLog log;
    DatabaseConfig config = test_config().database;
    const std::string a = "/nonexistent/mfo-failover-a-" + unique_suffix() + ".sock";
    const std::string b = "/nonexistent/mfo-failover-b-" + unique_suffix() + ".sock";
    config.hosts = {socket_endpoint(a), socket_endpoint(b)};
    config.connect_timeout = 1;
    Database db(config, DbAccount::app);
    std::string message;
    try {
        select_one(db);
    } catch (const DbUnavailable& e) {
        message = e.what();
    }
    BOOST_TEST(message.find("cannot connect to the database: unix:" + a + ": ") == 0u, message);
    BOOST_TEST(message.find("; unix:" + b + ": ") != std::string::npos, message);
}

// Two transactions lock two rows in opposite order: InnoDB rolls one back
// with 1213, as Galera does with a write-set that failed certification. The
// victim is run again from its start and both end applied exactly once.
BOOST_AUTO_TEST_CASE(a_transaction_rolled_back_by_a_deadlock_is_run_again_once) {
    const std::string table = "mfo_t_deadlock_" + unique_suffix();
    Database admin(test_config().database, DbAccount::admin);
    admin.execute("CREATE TABLE " + table + " (id INT PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB");
    admin.execute("INSERT INTO " + table + " VALUES (1, 0), (2, 0)");

    Signal a_locked;
    Signal b_locked;
    std::atomic<int> runs{0};
    std::atomic<int> failures{0};
    auto writer = [&](int first_row, int second_row, Signal& mine, Signal& theirs) {
        DbThreadScope scope;
        Database db(test_config().database, DbAccount::app);
        bool first_run = true;
        try {
            db.transaction([&](Database& d) {
                ++runs;
                d.execute("UPDATE " + table +
                          " SET v = v + 1 WHERE id = " + std::to_string(first_row));
                if (first_run) {
                    first_run = false;
                    mine.raise();
                    if (!theirs.wait()) throw std::runtime_error("the other writer never came");
                }
                d.execute("UPDATE " + table +
                          " SET v = v + 1 WHERE id = " + std::to_string(second_row));
            });
        } catch (const std::exception& e) {
            ++failures;
            BOOST_TEST_MESSAGE("writer failed: " << e.what());
        }
    };
    std::thread a(writer, 1, 2, std::ref(a_locked), std::ref(b_locked));
    std::thread b(writer, 2, 1, std::ref(b_locked), std::ref(a_locked));
    a.join();
    b.join();

    BOOST_TEST(failures.load() == 0);
    BOOST_TEST(runs.load() == 3);  // one of the two ran twice
    std::unique_ptr<sql::ResultSet> rs(
        admin.prepare("SELECT SUM(v = 2) FROM " + table).executeQuery());
    BOOST_TEST((rs->next() && rs->getInt(1) == 2));
    rs.reset();
    admin.execute("DROP TABLE " + table);
}

BOOST_AUTO_TEST_SUITE_END()
