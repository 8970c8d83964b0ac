// Two pools on two Galera nodes: what one pool writes, the other sees at
// once. A session cookie made through pool 1 works through pool 2 and the
// other way round (wsrep_sync_wait on the session read); the same email
// registered through both pools at the same instant ends as one account and
// one "already associated with an account" (Galera's 1213 retried, never a
// 500); two `mfo-db migrate` on two nodes at once apply each migration once.

#include <barrier>
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <thread>

#include "child_process.hpp"
#include "cluster_support.hpp"
#include "crypto.hpp"

using namespace mfo::test;
using namespace mfo::test::cluster;

namespace {

// A client of pool `pool`'s pinned URL; `address` its source address on
// loopback (nginx limits sign-in POSTs per address).
HttpClient pool_client(int pool, int address) {
    HttpClient c(cluster_env().pool_url[pool]);
    c.local_address = "127.0.1." + std::to_string(address % 250 + 1);
    c.timeout_seconds = 20;
    return c;
}

struct Account {
    std::string email;
    std::string password;
};

// A new account registered through pool `pool`; its client holds the session.
Account register_on(HttpClient& client, const std::string& tag) {
    Account a{cluster_email(tag), cluster_password()};
    long status = 0;
    const RegisterOutcome o =
        submit_registration(client, open_register_form(client), a.email, a.password, &status);
    if (o != RegisterOutcome::created) {
        throw std::runtime_error("registering " + a.email + " through " + client.base_url() + ": " +
                                 outcome_name(o) + " (status " + std::to_string(status) + ")");
    }
    return a;
}

// The admin account's name in a pool's config ([database] admin_user).
std::string admin_user_of(const std::string& config_path) {
    const std::string text = proc::read_text_file(config_path);
    std::smatch m;
    static const std::regex line(R"((?:^|\n)[ \t]*admin_user[ \t]*=[ \t]*([^ \t\r\n#;]+))");
    return std::regex_search(text, m, line) ? m[1].str() : "mfo_admin";
}

// Write traffic from elsewhere, so that the nodes' appliers are busy when a
// session made on one node is read on another (the stale read that
// wsrep_sync_wait prevents shows then): on nodes 1 and 2, a loop of
// INSERTs of kRowsPerWrite rows into a scratch table, each replicated to
// the other nodes, until stop() (or 60 s).
class ReplicatedWrites {
  public:
    // Rows per transaction: a writeset that takes the other nodes' appliers
    // a while (they apply in commit order, so what commits after it waits).
    static constexpr int kRowsPerWrite = 2000;
    ReplicatedWrites() {
        node_sql(1,
                 "DROP DATABASE IF EXISTS mfo_cluster_scratch; "
                 "CREATE DATABASE mfo_cluster_scratch; "
                 "CREATE TABLE mfo_cluster_scratch.writes (id BIGINT AUTO_INCREMENT PRIMARY KEY, "
                 "node INT NOT NULL, pad VARCHAR(255) NOT NULL) ENGINE=InnoDB; "
                 "CREATE TABLE mfo_cluster_scratch.stop_flag (x INT PRIMARY KEY) ENGINE=InnoDB");
        started_ = Clock::now();
        const ClusterEnv& env = cluster_env();
        for (int node = 1; node <= 2; ++node) {
            proc::SpawnOptions options;
            options.argv = {env.script,
                            "--dir",
                            env.dir,
                            "sql",
                            std::to_string(node),
                            "--batch",
                            "--delimiter=//",
                            "-e",
                            "BEGIN NOT ATOMIC "
                            "DECLARE deadline DATETIME DEFAULT NOW() + INTERVAL 60 SECOND; "
                            "WHILE NOW() < deadline AND NOT EXISTS "
                            "(SELECT 1 FROM mfo_cluster_scratch.stop_flag) DO "
                            "INSERT INTO mfo_cluster_scratch.writes (node, pad) SELECT " +
                                std::to_string(node) +
                                ", REPEAT('x', 200) FROM mfo_cluster_scratch.seq_1_to_" +
                                std::to_string(kRowsPerWrite) +
                                "; "
                                "END WHILE; "
                                "END //"};
            options.output_path = require_env("MFO_TEST_LOG_DIR") + "/replicated-writes.log";
            writers_.emplace_back(options);
        }
    }
    ~ReplicatedWrites() {
        try {
            stop();
        } catch (...) {
        }
    }
    ReplicatedWrites(const ReplicatedWrites&) = delete;
    ReplicatedWrites& operator=(const ReplicatedWrites&) = delete;

    // Stops the loops (bounded); the INSERTs per second they made.
    double stop() {
        if (stopped_) return rate_;
        stopped_ = true;
        const double seconds = seconds_between(started_, Clock::now());
        node_sql(1, "INSERT INTO mfo_cluster_scratch.stop_flag VALUES (1)");
        for (auto& w : writers_) {
            if (!w.wait_for_exit(std::chrono::seconds(20))) w.stop(std::chrono::seconds(2));
        }
        const auto rows = node_sql(1, "SELECT COUNT(*) FROM mfo_cluster_scratch.writes");
        rate_ = rows.empty() || seconds <= 0 ? 0 : std::stod(rows.front()) / seconds;
        node_sql(1, "DROP DATABASE IF EXISTS mfo_cluster_scratch");
        return rate_;
    }

  private:
    std::vector<proc::ChildProcess> writers_;
    Clock::time_point started_;
    bool stopped_ = false;
    double rate_ = 0;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(cross_pool)

BOOST_AUTO_TEST_CASE(a_cookie_made_through_one_pool_works_through_the_other) {
    int address = 10;
    std::size_t tried = 0, failed = 0;
    ReplicatedWrites writes;
    for (int round = 0; round < 15; ++round) {
        for (const auto& [from, to] : {std::pair{1, 2}, std::pair{2, 1}}) {
            BOOST_TEST_CONTEXT("round " << round << ", pool " << from << " -> pool " << to) {
                // Registered through one pool (the session written on its
                // node), read at once through the other.
                HttpClient maker = pool_client(from, address++);
                const Account a = register_on(maker, "xpool");
                HttpClient reader = pool_client(to, address++);
                reader.set_cookie("mfo_session", session_cookie(maker));
                long status = 0;
                ++tried;
                const bool ok = browse_home(reader, a.email, &status);
                failed += !ok;
                BOOST_CHECK_MESSAGE(ok, "the session made on pool "
                                            << from << " is not signed in on pool " << to
                                            << " (status " << status << ")");
                // A fresh login through one pool, used through the other.
                HttpClient login_client = pool_client(from, address++);
                BOOST_REQUIRE(try_login(login_client, a.email, a.password, &status));
                HttpClient reader2 = pool_client(to, address++);
                reader2.set_cookie("mfo_session", session_cookie(login_client));
                ++tried;
                const bool ok2 = browse_home(reader2, a.email, &status);
                failed += !ok2;
                BOOST_CHECK_MESSAGE(ok2, "the login made on pool "
                                             << from << " is not signed in on pool " << to
                                             << " (status " << status << ")");
            }
        }
    }
    const double rate = writes.stop();
    figure("cross-pool cookies: " + std::to_string(tried - failed) + " of " +
           std::to_string(tried) + " sessions made through one pool were signed in at once " +
           "through the other (meanwhile " + std::to_string(static_cast<long>(rate)) +
           " replicated rows/s from nodes 1 and 2, " +
           std::to_string(ReplicatedWrites::kRowsPerWrite) + " a transaction)");
}

BOOST_AUTO_TEST_CASE(the_same_email_registered_through_both_pools_at_once_is_one_account) {
    constexpr int kPairs = 20;
    int created_taken = 0, server_errors = 0, address = 100;
    std::map<std::string, int> seen;
    for (int pair = 0; pair < kPairs; ++pair) {
        const std::string email = cluster_email("race");
        const std::string password[3] = {"", cluster_password(), cluster_password()};
        HttpClient client[3] = {HttpClient(""), pool_client(1, address++),
                                pool_client(2, address++)};
        const RegisterForm form[3] = {RegisterForm{}, open_register_form(client[1]),
                                      open_register_form(client[2])};
        BOOST_REQUIRE_MESSAGE(form[1].ok && form[2].ok, "GET /register failed (status "
                                                            << form[1].status << ", "
                                                            << form[2].status << ")");
        RegisterOutcome outcome[3] = {};
        long status[3] = {};
        std::barrier start(2);
        {
            std::vector<std::jthread> racers;
            for (int p = 1; p <= 2; ++p) {
                racers.emplace_back([&, p] {
                    start.arrive_and_wait();
                    outcome[p] =
                        submit_registration(client[p], form[p], email, password[p], &status[p]);
                });
            }
        }
        const std::string text = std::string(outcome_name(outcome[1])) + " (" +
                                 std::to_string(status[1]) + ") / " + outcome_name(outcome[2]) +
                                 " (" + std::to_string(status[2]) + ")";
        ++seen[text];
        server_errors += status[1] >= 500;
        server_errors += status[2] >= 500;
        const bool one_each =
            (outcome[1] == RegisterOutcome::created && outcome[2] == RegisterOutcome::taken) ||
            (outcome[1] == RegisterOutcome::taken && outcome[2] == RegisterOutcome::created);
        created_taken += one_each;
        BOOST_CHECK_MESSAGE(one_each,
                            "pair " << pair << " (" << email << "): pool 1 / pool 2: " << text);
        if (one_each) {
            // The account that won logs in through the pool that lost.
            const int winner = outcome[1] == RegisterOutcome::created ? 1 : 2;
            HttpClient loser = pool_client(3 - winner, address++);
            BOOST_CHECK_MESSAGE(try_login(loser, email, password[winner]),
                                "pair " << pair << ": the winner's password does not log in "
                                        << "through pool " << 3 - winner);
        }
    }
    std::string outcomes;
    for (const auto& [text, n] : seen)
        outcomes += (outcomes.empty() ? "" : "; ") + text + " x" + std::to_string(n);
    figure("duplicate registrations through pool 1 and pool 2 at once: " +
           std::to_string(created_taken) + " of " + std::to_string(kPairs) +
           " pairs ended as one account + \"already associated\"; " +
           std::to_string(server_errors) + " answers 5xx; outcomes (pool 1 / pool 2): " + outcomes);
    BOOST_CHECK_EQUAL(server_errors, 0);
}

BOOST_AUTO_TEST_CASE(two_migrate_runs_on_two_nodes_at_once_apply_each_migration_once) {
    const ClusterEnv& env = cluster_env();
    const std::string schema = "mfo_migrate_" + mfo::crypto::hex(mfo::crypto::random_bytes(4));
    const std::string admin = admin_user_of(env.pool_config[1]);
    const auto hosts =
        node_sql(1, "SELECT Host FROM mysql.user WHERE User = '" + admin + "' ORDER BY Host");
    BOOST_REQUIRE_MESSAGE(!hosts.empty(), "no account " << admin << " on node 1");
    std::string setup =
        "CREATE DATABASE `" + schema + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;";
    for (const auto& host : hosts)
        setup += " GRANT ALL PRIVILEGES ON `" + schema + "`.* TO '" + admin + "'@'" + host + "';";
    node_sql(1, setup);

    namespace fs = std::filesystem;
    std::size_t files = 0;
    for (const auto& entry :
         fs::directory_iterator(require_env("MFO_TEST_REPO_DIR") + "/sql/migrations"))
        files += entry.path().extension() == ".sql";
    BOOST_REQUIRE(files > 0);

    // One run through pool 1's config on node 1, one through pool 2's on
    // node 2, started together.
    const std::string log_dir = require_env("MFO_TEST_LOG_DIR");
    std::vector<proc::ChildProcess> runs;
    std::string log[3];
    const auto started = Clock::now();
    for (int node = 1; node <= 2; ++node) {
        const std::string port = std::to_string(env.base_port + node);
        log[node] = log_dir + "/migrate-" + schema + "-node" + std::to_string(node) + ".log";
        proc::SpawnOptions options;
        options.argv = {env.bin_dir + "/mfo-db", "--config", env.pool_config[node], "migrate"};
        options.env = {{"MFO_DATABASE_NAME", schema},
                       {"MFO_DATABASE_HOSTS", "127.0.0.1:" + port},
                       {"MFO_DATABASE_SOCKET", ""},
                       {"MFO_DATABASE_HOST", "127.0.0.1"},
                       {"MFO_DATABASE_PORT", port}};
        options.cwd = env.dir;
        options.output_path = log[node];
        runs.emplace_back(options);
    }
    int status[3] = {-1, -1, -1};
    std::size_t applied_total = 0;
    bool counted = true;
    for (int node = 1; node <= 2; ++node) {
        const auto s =
            runs[static_cast<std::size_t>(node - 1)].wait_for_exit(std::chrono::seconds(120));
        status[node] = s ? *s : -1;
        const std::string out = proc::read_text_file(log[node]);
        BOOST_CHECK_MESSAGE(status[node] == 0, "mfo-db migrate on node "
                                                   << node << " exited " << status[node] << ":\n"
                                                   << proc::tail_lines(out, 30));
        std::smatch m;
        if (std::regex_search(out, m, std::regex(R"(Applied (\d+) migration)"))) {
            applied_total += std::stoul(m[1].str());
        } else if (out.find("Nothing to apply") == std::string::npos) {
            counted = false;
        }
    }
    const double seconds = seconds_between(started, Clock::now());
    if (counted) {
        BOOST_CHECK_MESSAGE(applied_total == files,
                            "the two runs applied " << applied_total << " migrations between them, "
                                                    << files << " files");
    }

    // Every node has each version once, successful, and the same tables.
    std::string tables_on_1;
    for (int node = 1; node <= 3; ++node) {
        BOOST_TEST_CONTEXT("node " << node) {
            const auto rows = node_sql(node,
                                       "SET SESSION wsrep_sync_wait = 1; "
                                       "SELECT version, success FROM `" +
                                           schema + "`.schema_migrations ORDER BY version");
            BOOST_CHECK_EQUAL(rows.size(), files);
            std::set<std::string> versions;
            for (const auto& row : rows) {
                const auto tab = row.find('\t');
                versions.insert(row.substr(0, tab));
                BOOST_CHECK_MESSAGE(row.substr(tab + 1) == "1", "schema_migrations row " << row);
            }
            BOOST_CHECK_EQUAL(versions.size(), rows.size());
            const auto tables = node_sql(node,
                                         "SET SESSION wsrep_sync_wait = 1; "
                                         "SELECT GROUP_CONCAT(table_name ORDER BY table_name) FROM "
                                         "information_schema.tables WHERE table_schema = '" +
                                             schema + "'");
            const std::string list = tables.empty() ? "" : tables.front();
            BOOST_CHECK_MESSAGE(list.find("users") != std::string::npos &&
                                    list.find("sessions") != std::string::npos,
                                "tables: " << list);
            if (node == 1) tables_on_1 = list;
            BOOST_CHECK_EQUAL(list, tables_on_1);
        }
    }
    figure("two mfo-db migrate at once (node 1 and node 2, fresh schema): exit " +
           std::to_string(status[1]) + " and " + std::to_string(status[2]) + ", " +
           (counted ? std::to_string(applied_total) : std::string("?")) + " of " +
           std::to_string(files) + " migrations applied between them, in " +
           std::to_string(seconds).substr(0, 4) + " s");
    node_sql(1, "DROP DATABASE IF EXISTS `" + schema + "`");
}

BOOST_AUTO_TEST_SUITE_END()
