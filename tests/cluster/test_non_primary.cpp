// A node cut off from the others (Galera's gmcast.isolate: it stays up and
// still answers `SELECT 1`, but is no longer part of the Primary component):
// the pool that prefers it moves to the next of its [database] hosts and
// keeps serving, /readyz stays 200 through the other nodes, and a tool given
// only that node refuses to work on it (mfo-db migrate, mfo-fcgi
// --check-config --connect). The node is then let back in.

#include <boost/test/unit_test.hpp>

#include "child_process.hpp"
#include "cluster_support.hpp"

using namespace mfo::test;
using namespace mfo::test::cluster;

namespace {

bool node_is(int node, const std::string& variable, const std::string& value) {
    const auto v = node_status(node, variable);
    return v && *v == value;
}

// Node 1 isolated for the lifetime of the object, then let back in (and
// waited for: the next suite expects three Synced nodes).
class IsolatedNode1 {
  public:
    IsolatedNode1() {
        node_sql(1, "SET GLOBAL wsrep_provider_options = 'gmcast.isolate = 1'");
        isolated_ = proc::wait_until(
            [] {
                return node_is(1, "wsrep_cluster_status", "non-Primary") &&
                       node_is(2, "wsrep_cluster_size", "2");
            },
            30s, 100ms);
    }
    ~IsolatedNode1() {
        try {
            node_sql(1, "SET GLOBAL wsrep_provider_options = 'gmcast.isolate = 0'");
        } catch (const std::exception& e) {
            BOOST_TEST_MESSAGE("could not lift the isolation: " << e.what());
        }
        const bool back = proc::wait_until(
            [] {
                return node_is(1, "wsrep_local_state_comment", "Synced") &&
                       node_is(1, "wsrep_cluster_size", "3") &&
                       node_is(2, "wsrep_cluster_size", "3");
            },
            60s, 100ms);
        BOOST_CHECK_MESSAGE(back, "node 1 did not rejoin within 60 s of lifting its isolation");
    }
    IsolatedNode1(const IsolatedNode1&) = delete;
    IsolatedNode1& operator=(const IsolatedNode1&) = delete;
    bool isolated() const { return isolated_; }

  private:
    bool isolated_ = false;
};

// A tool run against node 1 alone (pool 1's config, hosts overridden).
proc::CommandResult run_on_node1(const std::vector<std::string>& args) {
    const ClusterEnv& env = cluster_env();
    const std::string port = std::to_string(env.base_port + 1);
    std::vector<std::string> argv = {env.bin_dir + "/" + args[0], "--config", env.pool_config[1]};
    argv.insert(argv.end(), args.begin() + 1, args.end());
    return proc::run_command(argv, {{"MFO_DATABASE_HOSTS", "127.0.0.1:" + port}}, 60s, env.dir);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(non_primary)

BOOST_AUTO_TEST_CASE(a_node_outside_the_primary_component_is_left_and_refused) {
    const ClusterEnv& env = cluster_env();
    const std::string pool1_log = require_env("MFO_CLUSTER_POOL1_LOG");
    const std::string node2 = "127.0.0.1:" + std::to_string(env.base_port + 2);
    BOOST_REQUIRE_MESSAGE(node_is(1, "wsrep_cluster_size", "3"), "the cluster is not at 3 nodes");
    const std::size_t log_before = proc::read_text_file(pool1_log).size();

    const auto started = Clock::now();
    IsolatedNode1 isolation;
    BOOST_REQUIRE_MESSAGE(isolation.isolated(),
                          "node 1 did not become non-Primary within 30 s of gmcast.isolate");
    figure("node 1 isolated: non-Primary (and the others a cluster of 2) after " +
           std::to_string(seconds_between(started, Clock::now())).substr(0, 4) + " s");
    // What makes the check necessary: the node still answers SELECT 1.
    BOOST_TEST(node_sql(1, "SELECT 1") == std::vector<std::string>({"1"}));

    // Pool 1 prefers node 1: ready, signing up and browsing through it work.
    HttpClient client(env.pool_url[1]);
    client.timeout_seconds = 20;
    BOOST_TEST(client.get("/readyz").status == 200);
    const std::string email = cluster_email("nonprimary");
    const RegisterOutcome outcome =
        submit_registration(client, open_register_form(client), email, cluster_password());
    BOOST_TEST((outcome == RegisterOutcome::created), "registration: " << outcome_name(outcome));
    BOOST_TEST(browse_home(client, email));
    // ... because its workers moved to node 2, and said so.
    const std::string log = proc::read_text_file(pool1_log).substr(log_before);
    BOOST_TEST(log.find("database: using " + node2) != std::string::npos,
               "pool 1's log since the isolation:\n"
                   << proc::tail_lines(log, 20));

    // A tool that has only node 1 refuses, naming the reason.
    const auto migrate = run_on_node1({"mfo-db", "migrate"});
    BOOST_TEST(migrate.status != 0);
    BOOST_TEST(migrate.output.find("not part of the Primary component") != std::string::npos,
               migrate.output);
    const auto check = run_on_node1({"mfo-fcgi", "--check-config", "--connect"});
    BOOST_TEST(check.status != 0);
    BOOST_TEST(check.output.find("not part of the Primary component") != std::string::npos,
               check.output);
    figure(
        "node 1 isolated: pool 1 answered /readyz 200, a registration and its page through "
        "node 2; mfo-db migrate and mfo-fcgi --check-config --connect on node 1 alone "
        "refused (exit " +
        std::to_string(migrate.status) + ", " + std::to_string(check.status) + ")");
}

BOOST_AUTO_TEST_SUITE_END()
