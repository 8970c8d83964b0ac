// [database] hosts: the server list a connection walks, and the process's
// memory of which servers failed (core/db_endpoints, core/db_host_health).
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "config.hpp"
#include "db_endpoints.hpp"
#include "db_host_health.hpp"

using namespace mfo;
using std::chrono::seconds;

namespace {

DbEndpoint tcp(const std::string& host, int port) {
    DbEndpoint e;
    e.host = host;
    e.port = port;
    return e;
}

DbEndpoint unix_socket(const std::string& path) {
    DbEndpoint e;
    e.socket = path;
    return e;
}

std::string parse_error(const std::string& value) {
    try {
        parse_db_hosts(value, 3306, "/etc/mfo");
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "";
}

const auto t0 = DbHostHealth::Clock::time_point{} + std::chrono::hours(1);

}  // namespace

BOOST_AUTO_TEST_SUITE(db_endpoints)

BOOST_AUTO_TEST_CASE(entries_are_hosts_ports_and_sockets_in_order) {
    const auto hosts = parse_db_hosts(
        " db1:3307, 10.0.0.2 ,[::1]:3310,/run/mysqld/mysqld.sock, unix:../run/m.sock, ./x.sock",
        3306, "/etc/mfo");
    BOOST_REQUIRE_EQUAL(hosts.size(), 6u);
    BOOST_TEST((hosts[0] == tcp("db1", 3307)));
    BOOST_TEST((hosts[1] == tcp("10.0.0.2", 3306)));  // the [database] port
    BOOST_TEST((hosts[2] == tcp("::1", 3310)));
    BOOST_TEST((hosts[3] == unix_socket("/run/mysqld/mysqld.sock")));
    BOOST_TEST((hosts[4] == unix_socket("/etc/run/m.sock")));  // relative to the config
    BOOST_TEST((hosts[5] == unix_socket("/etc/mfo/x.sock")));
    BOOST_TEST(endpoint_label(hosts[2]) == "[::1]:3310");
    BOOST_TEST(endpoint_label(hosts[3]) == "unix:/run/mysqld/mysqld.sock");
    BOOST_TEST(parse_db_hosts("  ", 3306, "/").empty());
}

BOOST_AUTO_TEST_CASE(bad_entries_are_refused_with_the_entry) {
    BOOST_TEST(parse_error("db1,,db2") == "empty entry in the list");
    BOOST_TEST(parse_error("db1,") == "empty entry in the list");
    BOOST_TEST(parse_error("db1:0") == "bad port in \"db1:0\"");
    BOOST_TEST(parse_error("db1:70000") == "bad port in \"db1:70000\"");
    BOOST_TEST(parse_error("db1:33a") == "bad port in \"db1:33a\"");
    BOOST_TEST(parse_error("::1") == "an IPv6 address needs brackets: \"::1\"");
    BOOST_TEST(parse_error("[::1") == "bad address in \"[::1\"");
    BOOST_TEST(parse_error("db 1") == "bad host in \"db 1\"");
    BOOST_TEST(parse_error("unix:") == "no socket path in \"unix:\"");
    BOOST_TEST(parse_error("db1, db1:3306") == "\"db1:3306\" is listed twice");
    std::string many;
    for (int i = 1; i <= 17; ++i) many += "db" + std::to_string(i) + ",";
    many.pop_back();
    BOOST_TEST(parse_error(many) == "more than 16 hosts");
}

BOOST_AUTO_TEST_CASE(without_hosts_the_single_server_is_the_list) {
    DatabaseConfig config;
    config.socket = "/run/m.sock";
    BOOST_REQUIRE_EQUAL(endpoints_of(config).size(), 1u);
    BOOST_TEST((endpoints_of(config)[0] == unix_socket("/run/m.sock")));
    config.socket.clear();
    config.host = "db";
    config.port = 3307;
    BOOST_TEST((endpoints_of(config)[0] == tcp("db", 3307)));
    config.hosts = {tcp("a", 1), tcp("b", 2)};
    BOOST_TEST(endpoints_label(config) == "a:1, b:2");
}

BOOST_AUTO_TEST_CASE(the_config_file_takes_hosts_with_its_port_whatever_the_order) {
    const auto dir =
        std::filesystem::temp_directory_path() / ("mfo-hosts-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto file = (dir / "mfo.conf").string();
    std::ofstream(file) << "[database]\nhosts = n1, n2:3307, ./n3.sock\nport = 4000\n";
    const Config c = load_config(file);
    BOOST_REQUIRE_EQUAL(c.database.hosts.size(), 3u);
    BOOST_TEST((c.database.hosts[0] == tcp("n1", 4000)));
    BOOST_TEST((c.database.hosts[1] == tcp("n2", 3307)));
    BOOST_TEST((c.database.hosts[2] == unix_socket((dir / "n3.sock").string())));
    std::ofstream(file) << "[database]\nhosts = n1,,n2\n";
    std::string error;
    try {
        load_config(file);
    } catch (const ConfigError& e) {
        error = e.what();
    }
    BOOST_TEST(error == file + ":2: hosts: empty entry in the list");
    std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(a_server_that_failed_is_tried_last_until_its_time_is_up) {
    DbHostHealth health(seconds(10));
    const std::vector<DbEndpoint> list = {tcp("a", 1), tcp("b", 2), tcp("c", 3)};
    using Order = std::vector<std::size_t>;
    BOOST_TEST(health.order(list, t0) == Order({0, 1, 2}));
    health.mark_down(list[0], "connection refused", t0);
    BOOST_TEST(health.is_down(list[0], t0 + seconds(9)));
    BOOST_TEST(health.order(list, t0 + seconds(9)) == Order({1, 2, 0}));
    health.mark_down(list[1], "non-Primary", t0 + seconds(5));
    BOOST_TEST(health.order(list, t0 + seconds(9)) == Order({2, 0, 1}));
    // All down: still every server, in order of preference.
    health.mark_down(list[2], "lost", t0 + seconds(6));
    BOOST_TEST(health.order(list, t0 + seconds(9)) == Order({0, 1, 2}));
    // a's time is up at t0 + 10 s, b's at 15 s, c's at 16 s.
    BOOST_TEST(!health.is_down(list[0], t0 + seconds(10)));
    BOOST_TEST(health.order(list, t0 + seconds(10)) == Order({0, 1, 2}));
    BOOST_TEST(health.order(list, t0 + seconds(15)) == Order({0, 1, 2}));
    health.mark_down(list[0], "refused again", t0 + seconds(15));
    // b is up again; a and c are down, kept in their order of preference.
    BOOST_TEST(health.order(list, t0 + seconds(15)) == Order({1, 0, 2}));
}

BOOST_AUTO_TEST_CASE(a_change_of_server_is_logged_once_with_the_reasons) {
    DbHostHealth health(seconds(10));
    std::vector<std::string> lines;
    health.set_logger([&](const std::string& line) { lines.push_back(line); });
    const std::vector<DbEndpoint> list = {tcp("a", 1), tcp("b", 2)};
    health.report_choice(list, 0);
    health.report_choice(list, 0);
    health.mark_down(list[0], "connection refused", t0);
    health.report_choice(list, 1);
    health.report_choice(list, 1);
    health.report_choice(list, 0);
    BOOST_REQUIRE_EQUAL(lines.size(), 3u);
    BOOST_TEST(lines[0] == "database: using a:1");
    BOOST_TEST(lines[1] == "database: using b:2 (a:1: connection refused)");
    BOOST_TEST(lines[2] == "database: using a:1 again (the first choice)");
    // A single server is never reported: there is no choice.
    health.report_choice({tcp("z", 9)}, 0);
    BOOST_TEST(lines.size() == 3u);
}

BOOST_AUTO_TEST_SUITE_END()
