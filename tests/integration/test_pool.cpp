// The worker pool under stress: body cap, SIGTERM drain, kill -9 of a worker,
// SIGHUP reload, --check-config and a database outage. Each test that stops,
// kills or reconfigures something does it to a PrivateStack of its own.

#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <optional>
#include <atomic>
#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "child_process.hpp"
#include "http_client.hpp"
#include "private_stack.hpp"
#include "server_checks.hpp"

using namespace mfo::test;
using namespace mfo::test::proc;
using namespace mfo::test::server_tests;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

namespace {

std::string pool_socket(const PrivateStack& stack) {
    return stack.dir() + "/run/mfo-fcgi.sock";
}

bool is_socket(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode);
}

bool can_connect(const std::string& path) {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
}

// FastCGI connections the stack's workers have accepted and not yet closed:
// a request is in flight in a worker exactly while it holds one. Found as the
// workers' socket fds whose inode /proc/net/unix lists under the pool's path
// (an accepted unix socket shares its listener's address), minus the
// listening socket itself. Lets a test act while a request is in flight
// without guessing how long the worker needs to pick it up.
std::size_t accepted_connections(const PrivateStack& stack) {
    const std::string path = pool_socket(stack);
    std::set<std::string> inodes;
    std::istringstream table(read_text_file("/proc/net/unix"));
    std::string line;
    std::getline(table, line);  // column titles
    while (std::getline(table, line)) {
        std::istringstream fields(line);
        std::string num, refs, protocol, flags, type, state, inode, name;
        if (!(fields >> num >> refs >> protocol >> flags >> type >> state >> inode >> name))
            continue;
        constexpr unsigned long kAcceptCon = 0x10000;  // __SO_ACCEPTCON: listening
        if (name != path || (std::strtoul(flags.c_str(), nullptr, 16) & kAcceptCon) != 0) continue;
        inodes.insert("socket:[" + inode + "]");
    }
    std::size_t count = 0;
    for (pid_t worker : stack.worker_pids()) {
        // Error codes, not exceptions: a worker may exit while we look.
        std::error_code ec;
        for (fs::directory_iterator fd("/proc/" + std::to_string(worker) + "/fd", ec), end;
             !ec && fd != end; fd.increment(ec)) {
            std::error_code link_ec;
            const auto target = fs::read_symlink(fd->path(), link_ec);
            if (!link_ec && inodes.count(target.string())) ++count;
        }
    }
    return count;
}

template <typename Rep, typename Period>
long long ms(std::chrono::duration<Rep, Period> d) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

// A request made on a thread of its own; the destructor joins it.
class BackgroundGet {
  public:
    BackgroundGet(std::string base_url, std::string path)
        : thread_([this, url = std::move(base_url), path = std::move(path)] {
              try {
                  HttpClient client(url);
                  response_ = client.get(path);
              } catch (const std::exception& e) {
                  error_ = e.what();
              }
              done_ = true;
          }) {}
    bool done() const { return done_; }
    // Waits for the answer; valid after join().
    void join() {
        if (thread_.joinable()) thread_.join();
    }
    const HttpResponse& response() const { return response_; }
    const std::string& error() const { return error_; }

  private:
    HttpResponse response_;
    std::string error_;
    std::atomic<bool> done_{false};
    std::jthread thread_;  // last: started once the members above exist
};

// Starts GET `path` on a thread and returns once a worker has accepted it.
// Waits first until the workers hold no connection (the one nginx used for
// an earlier request may linger a moment after its answer), so the next one
// they hold is this request.
std::unique_ptr<BackgroundGet> start_in_flight(const PrivateStack& stack, const std::string& path) {
    BOOST_REQUIRE_MESSAGE(wait_until([&] { return accepted_connections(stack) == 0; }, 10s),
                          "the workers still hold connections of earlier requests");
    auto request = std::make_unique<BackgroundGet>(stack.base_url(), path);
    BOOST_REQUIRE_MESSAGE(wait_until([&] { return accepted_connections(stack) > 0; }, 10s, 2ms),
                          "GET " << path << " never reached a worker");
    return request;
}

// GET /login in a loop on a thread until stopped, counting failures.
class RequestLoop {
  public:
    explicit RequestLoop(std::string base_url)
        : thread_([this, url = std::move(base_url)](std::stop_token stop) {
              HttpClient client(url);
              client.timeout_seconds = 10;
              while (!stop.stop_requested()) {
                  std::string failure;
                  try {
                      const HttpResponse r = client.get("/login");
                      if (r.status != 200) failure = "status " + std::to_string(r.status);
                  } catch (const std::exception& e) {
                      failure = e.what();
                  }
                  if (failure.empty()) {
                      ++ok_;
                  } else {
                      std::lock_guard lock(mutex_);
                      failures_.push_back(failure);
                  }
              }
          }) {}
    int ok() const { return ok_; }
    std::vector<std::string> stop() {
        thread_.request_stop();
        if (thread_.joinable()) thread_.join();
        std::lock_guard lock(mutex_);
        return failures_;
    }

  private:
    std::atomic<int> ok_{0};
    std::mutex mutex_;
    std::vector<std::string> failures_;
    std::jthread thread_;  // last: started once the members above exist
};

void write_file(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::trunc);
    out << text;
    BOOST_REQUIRE_MESSAGE(out.good(), "cannot write " << path);
}

// `rules` with its rule for exactly "/" replaced by "exact / REQUIREMENT".
std::string with_home_rule(const std::string& rules, const std::string& requirement) {
    std::istringstream in(rules);
    std::string out;
    bool found = false;
    for (std::string line; std::getline(in, line);) {
        std::istringstream tokens(line);
        std::string match, path;
        if (tokens >> match >> path && match == "exact" && path == "/") {
            line = "exact / " + requirement;
            found = true;
        }
        out += line + "\n";
    }
    BOOST_REQUIRE_MESSAGE(found, "the access rules have no 'exact /' rule");
    return out;
}

std::string stack_script() {
    if (const char* s = std::getenv("MFO_TEST_STACK_SCRIPT"); s && *s) return s;
    return require_env("MFO_TEST_REPO_DIR") + "/scripts/lib/stack.sh";
}

// Stops the shared MariaDB (begin) and makes sure it runs again when the
// test ends, however it ends: every later test needs it.
class DatabaseOutage {
  public:
    DatabaseOutage() = default;
    ~DatabaseOutage() {
        if (!stopped_) return;
        try {
            end();
        } catch (...) {
            // Destructors must not throw; a later test will report the database missing.
        }
    }
    DatabaseOutage(const DatabaseOutage&) = delete;
    DatabaseOutage& operator=(const DatabaseOutage&) = delete;
    // stack.sh stop-db: returns once mariadbd has exited.
    CommandResult begin() {
        stopped_ = true;  // whatever stop-db did, end() runs start-db
        return run_command({"bash", stack_script(), "stop-db"}, {}, 90s);
    }
    // stack.sh start-db: returns once the database accepts connections.
    CommandResult end() {
        stopped_ = false;
        return run_command({"bash", stack_script(), "start-db"}, {}, 90s);
    }

  private:
    bool stopped_ = false;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(pool)

BOOST_AUTO_TEST_CASE(worker_refuses_a_body_over_its_cap_with_413) {
    // nginx allows 16 KiB; the worker's own cap is the one that must answer.
    PrivateStack stack({{"MFO_SERVER_MAX_BODY_BYTES", "2048"}});
    HttpClient client(stack.base_url());
    const std::string token = input_value(client.get("/login").body, "csrf_token");
    const std::string body = "csrf_token=" + token + "&email=" + std::string(4096, 'a');
    const HttpResponse r =
        client.request("POST", "/login", body, "application/x-www-form-urlencoded");
    BOOST_CHECK_EQUAL(r.status, 413);
    BOOST_CHECK(contains(r.body, "Request too large"));  // the worker's page, not nginx's
    check_response_headers(r, "POST /login with 4 KiB over a 2 KiB cap");
    BOOST_CHECK(stack.wait_for_log("method=\"POST\" path=\"/login\" status=413", 2s));
    BOOST_CHECK_EQUAL(client.get("/login").status, 200);
}

BOOST_AUTO_TEST_CASE(sigterm_lets_the_in_flight_request_finish_and_exits_0) {
    PrivateStack stack;
    const std::string socket = pool_socket(stack);
    const auto in_flight = start_in_flight(stack, "/__test/slow?ms=1500");
    BackgroundGet& slow = *in_flight;
    BOOST_REQUIRE(!slow.done());

    const auto sent = Clock::now();
    const int status = stack.stop_pool(20s);
    const auto took = Clock::now() - sent;
    slow.join();

    BOOST_CHECK_EQUAL(status, 0);
    BOOST_CHECK_MESSAGE(slow.error().empty(), slow.error());
    BOOST_CHECK_EQUAL(slow.response().status, 200);
    BOOST_CHECK_EQUAL(slow.response().body, "slept 1500 ms\n");
    // Within the drain timeout (10 s), and only once the request was done.
    BOOST_CHECK_MESSAGE(took < 10s, "the pool took " << ms(took) << " ms to stop");
    const std::string log = stack.pool_log();
    const auto served = log.find("path=\"/__test/slow\" status=200");
    const auto stopped = log.find("msg=\"stopped\"");
    BOOST_CHECK(served != std::string::npos);
    BOOST_CHECK(stopped != std::string::npos);
    BOOST_CHECK(served < stopped);
    BOOST_CHECK(!contains(log, "cut off"));

    // Nothing accepts connections any more: the socket is gone, and nginx
    // has no upstream.
    BOOST_CHECK(!is_socket(socket));
    BOOST_CHECK(!can_connect(socket));
    HttpClient client(stack.base_url());
    BOOST_CHECK_EQUAL(client.get("/login").status, 502);
}

BOOST_AUTO_TEST_CASE(killed_worker_is_replaced_and_service_continues) {
    PrivateStack stack;
    HttpClient client(stack.base_url());
    client.timeout_seconds = 5;
    std::vector<pid_t> workers = stack.worker_pids();
    BOOST_REQUIRE_GE(workers.size(), 2u);  // the test config runs 2
    const std::size_t expected = workers.size();

    // The same slot dies again and again (each time its fresh replacement):
    // the supervisor backs off, while the other worker serves every request.
    pid_t victim = workers.front();
    for (int round = 1; round <= 3; ++round) {
        BOOST_TEST_CONTEXT("kill -9 number " << round << " (pid " << victim << ")") {
            const auto killed_at = Clock::now();
            BOOST_REQUIRE_EQUAL(::kill(victim, SIGKILL), 0);
            std::vector<long> bad;
            std::vector<pid_t> now;
            const bool refilled = wait_until(
                [&] {
                    const long s = client.get("/login").status;
                    if (s != 200) bad.push_back(s);
                    now = stack.worker_pids();
                    return now.size() == expected &&
                           std::find(now.begin(), now.end(), victim) == now.end();
                },
                5s, 20ms);
            const auto took = Clock::now() - killed_at;
            BOOST_CHECK_MESSAGE(bad.empty(), bad.size() << " requests failed, first status "
                                                        << (bad.empty() ? 0 : bad.front()));
            BOOST_REQUIRE_MESSAGE(refilled, "no replacement worker within 5 s");
            // The first death is refilled at once; repeated quick deaths wait
            // 0.5 s, then 1 s (the back-off), plus the new worker's start.
            BOOST_CHECK_MESSAGE(took < (round == 1 ? 2s : 3s),
                                "refilled after " << ms(took) << " ms");
            pid_t fresh = -1;
            for (pid_t p : now) {
                if (std::find(workers.begin(), workers.end(), p) == workers.end()) fresh = p;
            }
            BOOST_REQUIRE_NE(fresh, -1);
            BOOST_CHECK_EQUAL(client.get("/login").status, 200);
            workers = now;
            victim = fresh;
        }
    }
    const std::string log = stack.pool_log();
    BOOST_CHECK_EQUAL(occurrences(log, "died (signal 9)"), 3u);
    BOOST_CHECK_MESSAGE(contains(log, "respawning in 500 ms"), "no back-off in the log:\n" << log);
    BOOST_CHECK(::kill(stack.pool_pid(), 0) == 0);
    BOOST_CHECK_EQUAL(stack.stop_pool(15s), 0);
}

BOOST_AUTO_TEST_CASE(sighup_reloads_without_dropping_requests_and_refuses_bad_rules) {
    // The access rules come from a copy this test rewrites between reloads.
    TempDir rules_dir("mfo-rules-");
    const std::string rules = rules_dir.path() + "/access.conf";
    const std::string original =
        read_text_file(require_env("MFO_TEST_REPO_DIR") + "/conf/access.conf");
    write_file(rules, original);
    PrivateStack stack({{"MFO_APP_ACCESS_RULES", rules}});
    HttpClient anonymous(stack.base_url());
    BOOST_REQUIRE_EQUAL(anonymous.get("/").status, 302);  // login required
    const std::vector<pid_t> old_workers = stack.worker_pids();

    // A request in flight across the reload, and a stream of new ones.
    const auto in_flight = start_in_flight(stack, "/__test/slow?ms=1000");
    BackgroundGet& slow = *in_flight;
    RequestLoop loop(stack.base_url());
    BOOST_REQUIRE(wait_until([&] { return loop.ok() >= 20; }, 10s));

    // Reload with / made public: the new rules must take effect.
    write_file(rules, with_home_rule(original, "public"));
    stack.reload_pool();
    BOOST_REQUIRE(stack.wait_for_log("reloaded configuration", 10s));
    const bool replaced = wait_until(
        [&] {
            const auto now = stack.worker_pids();
            return now.size() == old_workers.size() &&
                   std::none_of(now.begin(), now.end(), [&](pid_t p) {
                       return std::find(old_workers.begin(), old_workers.end(), p) !=
                              old_workers.end();
                   });
        },
        15s);
    BOOST_CHECK_MESSAGE(replaced, "the old workers are still there");
    const int after_reload = loop.ok();
    BOOST_REQUIRE(wait_until([&] { return loop.ok() >= after_reload + 20; }, 10s));
    const std::vector<std::string> failures = loop.stop();
    slow.join();

    BOOST_CHECK_MESSAGE(failures.empty(), failures.size()
                                              << " of " << loop.ok() + failures.size()
                                              << " requests failed across the reload, first: "
                                              << (failures.empty() ? "" : failures.front()));
    BOOST_CHECK_MESSAGE(slow.error().empty(), slow.error());
    BOOST_CHECK_EQUAL(slow.response().status, 200);
    BOOST_CHECK_EQUAL(anonymous.get("/").status, 200);  // the reloaded rule

    // A broken file is refused on SIGHUP: the running rules (/ public) stay,
    // although the good part of the new file would make / private again.
    const std::string broken = with_home_rule(original, "auth_required") + "this is not a rule\n";
    const std::size_t lines = occurrences(broken, "\n");
    write_file(rules, broken);
    const std::vector<pid_t> workers = stack.worker_pids();
    stack.reload_pool();
    BOOST_REQUIRE(stack.wait_for_log("reload refused", 10s));
    const std::string log = stack.pool_log();
    const std::string refusal = log.substr(log.find("reload refused"));
    const std::string refusal_line = log.substr(log.rfind('\n', log.find("reload refused")) + 1);
    BOOST_CHECK_MESSAGE(contains(refusal_line.substr(0, refusal_line.find('\n')), "level=warn"),
                        refusal_line.substr(0, refusal_line.find('\n')));
    BOOST_CHECK_MESSAGE(
        contains(refusal.substr(0, refusal.find('\n')), rules + ":" + std::to_string(lines)),
        "no file:line in: " << refusal.substr(0, refusal.find('\n')));
    BOOST_CHECK(stack.worker_pids() == workers);
    BOOST_CHECK_EQUAL(occurrences(stack.pool_log(), "reloaded configuration"), 1u);
    BOOST_CHECK_EQUAL(anonymous.get("/").status, 200);
    BOOST_CHECK_EQUAL(anonymous.get("/login").status, 200);
}

BOOST_AUTO_TEST_CASE(check_config_validates_and_production_needs_a_secret) {
    const std::string bin = require_env("MFO_TEST_BIN_DIR") + "/mfo-fcgi";
    const std::string config = require_env("MFO_TEST_CONFIG");
    // Run where no .env can be: a fresh directory.
    TempDir cwd("mfo-check-");

    const CommandResult good =
        run_command({bin, "--config", config, "--check-config"}, {}, 30s, cwd.path());
    BOOST_CHECK_MESSAGE(good.status == 0, good.output);
    BOOST_CHECK(contains(good.output, "configuration OK"));

    const std::string text = read_text_file(config);
    const std::size_t lines = occurrences(text, "\n");
    for (const std::string bad_line : {"workers = lots", "this is not ini"}) {
        BOOST_TEST_CONTEXT("a config ending in '" << bad_line << "'") {
            const std::string bad = cwd.path() + "/bad.conf";
            write_file(bad, text + "[server]\n" + bad_line + "\n");
            const CommandResult r =
                run_command({bin, "--config", bad, "--check-config"}, {}, 30s, cwd.path());
            BOOST_CHECK_NE(r.status, 0);
            BOOST_CHECK_MESSAGE(contains(r.output, bad + ":" + std::to_string(lines + 2)),
                                "no file:line in: " << r.output);
        }
    }

    // Production with no secret key, or with an example one, does not start.
    const EnvOverrides production = {{"MFO_APP_ENVIRONMENT", "production"},
                                     {"MFO_APP_SECRET_KEY", ""},
                                     {"MFO_APP_SECRET_KEY_FILE", ""}};
    const CommandResult check =
        run_command({bin, "--config", config, "--check-config"}, production, 30s, cwd.path());
    BOOST_CHECK_NE(check.status, 0);
    BOOST_CHECK_MESSAGE(contains(check.output, "secret"), check.output);

    EnvOverrides start = production;
    start.emplace_back("MFO_SERVER_LISTEN", "unix:" + cwd.path() + "/pool.sock");
    start.emplace_back("MFO_SERVER_PID_FILE", cwd.path() + "/pool.pid");
    const CommandResult run = run_command({bin, "--config", config}, start, 15s, cwd.path());
    BOOST_CHECK_NE(run.status, 0);
    BOOST_CHECK_MESSAGE(contains(run.output, "secret"), run.output);
    BOOST_CHECK(!fs::exists(cwd.path() + "/pool.sock"));

    EnvOverrides example = start;
    example.emplace_back("MFO_APP_SECRET_KEY", "change-me");
    const CommandResult run_example =
        run_command({bin, "--config", config}, example, 15s, cwd.path());
    BOOST_CHECK_NE(run_example.status, 0);
    BOOST_CHECK_MESSAGE(contains(run_example.output, "example"), run_example.output);
}

// What used to pass --check-config and fail only at start (or never).
BOOST_AUTO_TEST_CASE(check_config_finds_what_start_would_trip_on) {
    const std::string bin = require_env("MFO_TEST_BIN_DIR") + "/mfo-fcgi";
    const std::string config = require_env("MFO_TEST_CONFIG");
    TempDir cwd("mfo-check-");
    auto check = [&](const EnvOverrides& env) {
        return run_command({bin, "--config", config, "--check-config"}, env, 30s, cwd.path());
    };

    CommandResult r = check({{"MFO_SERVER_SOCKET_GROUP", "no-such-group-mfo"}});
    BOOST_CHECK_NE(r.status, 0);
    BOOST_CHECK_MESSAGE(contains(r.output, "socket_group: no group named no-such-group-mfo"),
                        r.output);
    // Starting with it leaves no socket behind.
    const std::string sock = cwd.path() + "/pool.sock";
    r = run_command({bin, "--config", config},
                    {{"MFO_SERVER_SOCKET_GROUP", "no-such-group-mfo"},
                     {"MFO_SERVER_LISTEN", "unix:" + sock},
                     {"MFO_SERVER_PID_FILE", cwd.path() + "/pool.pid"}},
                    15s, cwd.path());
    BOOST_CHECK_NE(r.status, 0);
    BOOST_CHECK(!fs::exists(sock));

    r = check({{"MFO_SERVER_LISTEN", "unix:" + cwd.path() + "/" + std::string(110, 's')}});
    BOOST_CHECK_NE(r.status, 0);
    BOOST_CHECK_MESSAGE(contains(r.output, "a unix socket path has at most 107"), r.output);

    r = check({{"MFO_SERVER_LISTEN", "unix:" + cwd.path() + "/no-such-dir/pool.sock"}});
    BOOST_CHECK_EQUAL(r.status, 0);  // systemd's RuntimeDirectory makes it at start
    BOOST_CHECK_MESSAGE(contains(r.output, "warning: listen: the socket directory " + cwd.path() +
                                               "/no-such-dir does not exist"),
                        r.output);

    r = check({{"MFO_APP_DEFAULT_ROLE", "Usr"}});
    BOOST_CHECK_NE(r.status, 0);
    BOOST_CHECK_MESSAGE(contains(r.output,
                                 "environment MFO_APP_DEFAULT_ROLE: default_role: role "
                                 "\"Usr\" is not in"),
                        r.output);

    r = check({{"MFO_DATABASE_PASSWORD", ""},
               {"MFO_DATABASE_PASSWORD_FILE", cwd.path() + "/no-such-password"}});
    BOOST_CHECK_NE(r.status, 0);
    BOOST_CHECK_MESSAGE(
        contains(r.output, "password_file: " + cwd.path() + "/no-such-password does not exist"),
        r.output);
}

BOOST_AUTO_TEST_CASE(check_config_connect_logs_in_with_both_accounts) {
    const std::string bin = require_env("MFO_TEST_BIN_DIR") + "/mfo-fcgi";
    const std::string config = require_env("MFO_TEST_CONFIG");
    TempDir cwd("mfo-check-");
    auto check = [&](const EnvOverrides& env) {
        return run_command({bin, "--config", config, "--check-config", "--connect"}, env, 30s,
                           cwd.path());
    };
    CommandResult r = check({});
    BOOST_CHECK_MESSAGE(r.status == 0, r.output);
    BOOST_CHECK_MESSAGE(contains(r.output, "database: application account") &&
                            contains(r.output, "database: DDL account (mfo-db)"),
                        r.output);
    BOOST_CHECK_EQUAL(occurrences(r.output, ": OK\n"), 2u);

    r = check({{"MFO_DATABASE_PASSWORD", "wrong-password"}});
    BOOST_CHECK_NE(r.status, 0);
    BOOST_CHECK_MESSAGE(
        contains(r.output, "application account") && contains(r.output, "Access denied"), r.output);

    r = check({{"MFO_DATABASE_ADMIN_PASSWORD", ""},
               {"MFO_DATABASE_ADMIN_PASSWORD_FILE", cwd.path() + "/none"}});
    BOOST_CHECK_NE(r.status, 0);
    BOOST_CHECK_MESSAGE(
        contains(r.output, "DDL account (mfo-db)") &&
            contains(r.output, "admin_password_file: " + cwd.path() + "/none does not exist"),
        r.output);
}

BOOST_AUTO_TEST_CASE(pool_checks_the_database_at_start) {
    const std::string bin = require_env("MFO_TEST_BIN_DIR") + "/mfo-fcgi";
    const std::string config = require_env("MFO_TEST_CONFIG");
    TempDir cwd("mfo-start-");
    const EnvOverrides wrong = {{"MFO_DATABASE_PASSWORD", "wrong-password"},
                                {"MFO_SERVER_LISTEN", "unix:" + cwd.path() + "/pool.sock"},
                                {"MFO_SERVER_PID_FILE", cwd.path() + "/pool.pid"}};
    // --require-db: refuses, before opening the socket.
    const CommandResult refused =
        run_command({bin, "--config", config, "--require-db"}, wrong, 30s, cwd.path());
    BOOST_CHECK_EQUAL(refused.status, 1);
    BOOST_CHECK_MESSAGE(contains(refused.output, "database check failed") &&
                            contains(refused.output, "Access denied"),
                        refused.output);
    BOOST_CHECK(!fs::exists(cwd.path() + "/pool.sock"));

    // Default: starts, with the problem at level=warn in its log.
    PrivateStack stack({{"MFO_DATABASE_PASSWORD", "wrong-password"}});
    BOOST_CHECK(stack.wait_for_log("level=warn", 5s));
    const std::string log = stack.pool_log();
    const std::string line = log.substr(log.find("level=warn"));
    BOOST_CHECK_MESSAGE(contains(line.substr(0, line.find('\n')), "database check at start") &&
                            contains(line.substr(0, line.find('\n')), "Access denied"),
                        line);
}

// A role in roles.conf that `mfo-db seed` has not created yet.
BOOST_AUTO_TEST_CASE(default_role_missing_from_the_database_is_reported) {
    TempDir dir("mfo-roles-");
    const std::string roles = dir.path() + "/roles.conf";
    write_file(roles, read_text_file(require_env("MFO_TEST_REPO_DIR") + "/conf/roles.conf") +
                          "\n[Visitor]\ndescription = not seeded\npermissions = read\n");
    PrivateStack stack({{"MFO_APP_ROLES", roles}, {"MFO_APP_DEFAULT_ROLE", "Visitor"}});
    BOOST_CHECK(
        stack.wait_for_log("default_role \\\"Visitor\\\" does not exist in the database", 5s));

    HttpClient client(stack.base_url());
    const std::string token = input_value(client.get("/register").body, "csrf_token");
    const std::string email = "visitor-" + std::to_string(::getpid()) + "-" +
                              std::to_string(Clock::now().time_since_epoch().count() % 1000000007) +
                              "@example.com";
    const std::string password = "Unseeded-Role-" + std::to_string(::getpid()) + "-x9";
    const HttpResponse r = client.post_form("/register", {{"email", email},
                                                          {"password", password},
                                                          {"password_confirm", password},
                                                          {"csrf_token", token}});
    BOOST_CHECK_EQUAL(r.status, 302);  // registered (no role is the least privilege)
    BOOST_CHECK(stack.wait_for_log("registered without a role; run `mfo-db seed`", 5s));
    const std::string log = stack.pool_log();
    const std::string whole =
        log.substr(log.rfind('\n', log.find("registered without a role")) + 1);
    BOOST_CHECK_MESSAGE(contains(whole.substr(0, whole.find('\n')), "level=error"), whole);
}

// The worker's account with the table grants of `mfo-db grants` (made by
// scripts/test as README Deployment does): register, log in, the admin page.
BOOST_AUTO_TEST_CASE(pool_runs_on_the_least_privilege_account) {
    PrivateStack stack({{"MFO_DATABASE_USER", require_env("MFO_TEST_LP_APP_USER")}});
    BOOST_CHECK(!contains(stack.pool_log(), "level=warn"));  // the start check passed

    HttpClient client(stack.base_url());
    const std::string token = input_value(client.get("/register").body, "csrf_token");
    const std::string email = "lp-" + std::to_string(::getpid()) + "-" +
                              std::to_string(Clock::now().time_since_epoch().count() % 1000000007) +
                              "@example.com";
    const std::string password = "Least-Priv-Pool-" + std::to_string(::getpid());
    const HttpResponse r = client.post_form("/register", {{"email", email},
                                                          {"password", password},
                                                          {"password_confirm", password},
                                                          {"csrf_token", token}});
    BOOST_CHECK_EQUAL(r.status, 302);
    BOOST_CHECK_EQUAL(client.get("/").status, 200);

    HttpClient admin(stack.base_url());
    log_in(admin, require_env("MFO_ADMIN_EMAIL"), require_env("MFO_ADMIN_PASSWORD"));
    BOOST_CHECK_EQUAL(admin.get("/admin").status, 200);
    BOOST_CHECK(!contains(stack.pool_log(), "level=error"));
}

BOOST_AUTO_TEST_CASE(database_outage_is_503_and_the_pool_recovers_without_restart) {
    PrivateStack stack;
    HttpClient user(stack.base_url());
    log_in(user, require_env("MFO_USER_EMAIL"), require_env("MFO_USER_PASSWORD"));
    BOOST_REQUIRE_EQUAL(user.get("/").status, 200);
    const std::vector<pid_t> workers = stack.worker_pids();

    {
        DatabaseOutage outage;
        const CommandResult stopped = outage.begin();
        BOOST_REQUIRE_MESSAGE(stopped.status == 0, "stack.sh stop-db: status " << stopped.status
                                                                               << "\n"
                                                                               << stopped.output);
        // A session the workers have cached is served until the cache fails
        // closed ([security] session_cache_fail_closed_ms after the last good
        // read of the revocation feed), then the database is asked: 503.
        const auto stopped_at = std::chrono::steady_clock::now();
        std::optional<std::chrono::steady_clock::time_point> last_cached;
        while (std::chrono::steady_clock::now() - stopped_at < 3s) {
            const auto asked = std::chrono::steady_clock::now();
            const long status = user.get("/").status;
            if (status == 503) break;
            BOOST_REQUIRE_EQUAL(status, 200);
            last_cached = asked;
        }
        if (last_cached) {
            const auto served_ms =
                std::chrono::duration_cast<std::chrono::milliseconds>(*last_cached - stopped_at)
                    .count();
            BOOST_TEST_MESSAGE("cached session served " << served_ms
                                                        << " ms into the outage");
            BOOST_CHECK_LT(served_ms, 500 + 250);  // fail_closed_ms + a poll and a margin
        }
        for (int i = 0; i < 4; ++i) {  // more than one worker thread sees it
            const HttpResponse r = user.get("/");
            BOOST_CHECK_EQUAL(r.status, 503);
            check_response_headers(r, "GET / during the outage");
            BOOST_CHECK(contains(r.body, "Service unavailable"));
            const std::string body = lower_case(r.body);
            for (const char* leak : {"sql", "mariadb", "mysql", "exception", "cannot connect",
                                     "2002", "socket", "what()"}) {
                BOOST_CHECK_MESSAGE(!contains(body, leak),
                                    "the 503 page mentions '" << leak << "'");
            }
        }
        BOOST_CHECK(stack.wait_for_log("path=\"/\" status=503", 2s));
        // Load balancers: the pool answers, but it is not ready.
        BOOST_CHECK_EQUAL(user.get("/healthz").status, 200);
        BOOST_CHECK_EQUAL(user.get("/readyz").status, 503);
        const CommandResult started = outage.end();
        BOOST_REQUIRE_MESSAGE(started.status == 0, "stack.sh start-db: status " << started.status
                                                                                << "\n"
                                                                                << started.output);
    }

    // The database answers again (start-db waited for it): the very next
    // requests succeed, served by the same workers with the same session.
    for (int i = 0; i < 8; ++i) {
        const HttpResponse r = user.get("/");
        BOOST_CHECK_MESSAGE(r.status == 200, "request " << i << " after the restart: " << r.status);
    }
    BOOST_CHECK(stack.worker_pids() == workers);
    BOOST_CHECK_EQUAL(user.get("/readyz").status, 200);
    BOOST_CHECK(!contains(stack.pool_log(), " died ("));
}

BOOST_AUTO_TEST_SUITE_END()
