#include "private_stack.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/test/results_collector.hpp>
#include <boost/test/unit_test.hpp>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <iostream>
#include <optional>
#include <regex>
#include <sstream>
#include <stdexcept>

#include "child_process.hpp"
#include "http_client.hpp"

namespace mfo::test {

namespace fs = std::filesystem;
using namespace proc;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

constexpr auto kStartTimeout = seconds(30);

// Renders D/run/nginx.conf exactly as the shared stack's is rendered, by the
// same shell functions (user line when root, fastcgi_params, temp paths).
constexpr const char* kRenderScript = R"(set -eu
source "$1"
mfo_stack_layout "$2" "$3" "$4"
mfo_stack_render_nginx "$5" "$6" "$7"
)";

std::string env_or(const char* name, const std::string& fallback) {
    const char* v = std::getenv(name);
    return v && *v ? v : fallback;
}

// A port the kernel says is free now; nginx binds it a moment later, so a
// collision is possible and the caller retries with another.
int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
                    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
    ::close(fd);
    if (!ok) throw std::runtime_error(std::string("no free port: ") + std::strerror(errno));
    return ntohs(addr.sin_port);
}

bool is_socket(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode);
}

// Seconds the pool is configured to drain, from the overrides (else the
// default of conf/mfo.conf, which the test config keeps).
int drain_seconds(const std::vector<std::pair<std::string, std::string>>& overrides) {
    int drain = 10;
    for (const auto& [k, v] : overrides) {
        if (k == "MFO_SERVER_DRAIN_TIMEOUT") {
            try {
                drain = std::stoi(v);
            } catch (const std::exception&) {
            }
        }
    }
    return std::max(drain, 0);
}

// True when the running Boost.Test case has failed so far (false outside one).
bool current_test_failed() {
    namespace ut = boost::unit_test;
    try {
        return !ut::results_collector.results(ut::framework::current_test_case().p_id).passed();
    } catch (...) {
        return false;
    }
}

}  // namespace

struct PrivateStack::Impl {
    // Declared first: destroyed last, after both processes are gone.
    TempDir dir{"mfo-ps-"};
    std::string run_dir;
    std::string log_dir;
    std::string socket_path;
    std::string pool_log_path;
    int port = 0;
    PrivateStack::LoginLimit login_limit;
    milliseconds pool_grace{15'000};
    std::vector<std::string> expected_reports;
    ChildProcess pool;
    ChildProcess nginx;

    std::string failure(const std::string& what) const {
        std::string out = "PrivateStack in " + dir.path() + ": " + what;
        for (const char* name : {"mfo-fcgi.log", "nginx.out", "nginx-error.log"}) {
            const std::string text = read_text_file(log_dir + "/" + name);
            if (text.empty()) continue;
            out += "\n----- last lines of " + std::string(name) + " -----\n" + tail_lines(text, 30);
        }
        return out;
    }

    void render_nginx(const std::string& stack_script, const std::string& bin_dir,
                      const std::string& config) {
        const CommandResult r = run_command(
            {"bash", "-c", kRenderScript, "mfo-private-stack", stack_script, dir.path(), bin_dir,
             config, std::to_string(port), login_limit.rate, std::to_string(login_limit.burst)},
            {}, seconds(30));
        if (r.status != 0) {
            throw std::runtime_error("PrivateStack: rendering the nginx config failed (status " +
                                     std::to_string(r.status) + "):\n" + r.output);
        }
    }

    void start_pool(const std::string& bin_dir, const std::string& config,
                    const std::vector<std::pair<std::string, std::string>>& overrides) {
        SpawnOptions o;
        o.argv = {bin_dir + "/mfo-fcgi-test", "--config", config};
        o.env = overrides;
        // Ours win: the pool must listen where our nginx connects.
        o.env.emplace_back("MFO_SERVER_LISTEN", "unix:" + socket_path);
        o.env.emplace_back("MFO_SERVER_PID_FILE", run_dir + "/mfo-fcgi.pid");
        // The shared stack's loopback authorizer port is taken: none here.
        o.env.emplace_back("MFO_SERVER_AUTHORIZER_LISTEN", "");
        // The app reads .env from its working directory: ours has none.
        o.cwd = dir.path();
        o.output_path = pool_log_path;
        o.stop_grace = pool_grace = seconds(drain_seconds(overrides) + 5);
        pool = ChildProcess(o);
        const bool up =
            wait_until([&] { return is_socket(socket_path) || !pool.running(); }, kStartTimeout);
        if (!pool.running()) {
            throw std::runtime_error(failure("mfo-fcgi-test exited during start-up (status " +
                                             std::to_string(pool.exit_status().value_or(-1)) +
                                             ")"));
        }
        if (!up) throw std::runtime_error(failure("no socket " + socket_path + " within 30 s"));
    }

    // False when nginx exited at once (e.g. the port was taken meanwhile).
    bool start_nginx() {
        SpawnOptions o;
        o.argv = {"nginx",
                  "-p",
                  run_dir + "/",
                  "-c",
                  run_dir + "/nginx.conf",
                  "-e",
                  log_dir + "/nginx-error.log"};
        o.cwd = dir.path();
        o.output_path = log_dir + "/nginx.out";
        o.stop_grace = seconds(10);
        nginx = ChildProcess(o);
        HttpClient client("http://127.0.0.1:" + std::to_string(port));
        client.timeout_seconds = 2;
        long last_status = 0;
        const bool ready = wait_until(
            [&] {
                if (!nginx.running() || !pool.running()) return true;
                try {
                    last_status = client.get("/login").status;
                } catch (const std::exception&) {
                    last_status = 0;  // not listening yet
                }
                return last_status == 200;
            },
            kStartTimeout, milliseconds(20));
        if (!pool.running()) {
            throw std::runtime_error(failure("mfo-fcgi-test exited while nginx started"));
        }
        if (!nginx.running()) return false;
        if (!ready) {
            throw std::runtime_error(
                failure("GET /login through nginx: no 200 within 30 s (last status " +
                        std::to_string(last_status) + ")"));
        }
        return true;
    }
};

PrivateStack::PrivateStack(std::vector<std::pair<std::string, std::string>> overrides)
    : PrivateStack(std::move(overrides), LoginLimit{}) {}

PrivateStack::PrivateStack(std::vector<std::pair<std::string, std::string>> overrides,
                           LoginLimit login_limit)
    : impl_(std::make_unique<Impl>()) {
    Impl& s = *impl_;
    s.login_limit = std::move(login_limit);
    const std::string bin_dir = require_env("MFO_TEST_BIN_DIR");
    const std::string config = require_env("MFO_TEST_CONFIG");
    const std::string stack_script =
        env_or("MFO_TEST_STACK_SCRIPT",
               env_or("MFO_TEST_REPO_DIR", MFO_SOURCE_DIR) + "/scripts/lib/stack.sh");
    // nginx's workers (www-data when we are root) must reach the socket.
    ::chmod(s.dir.path().c_str(), 0755);
    s.run_dir = s.dir.path() + "/run";
    s.log_dir = s.dir.path() + "/log";
    s.socket_path = s.run_dir + "/mfo-fcgi.sock";
    s.pool_log_path = s.log_dir + "/mfo-fcgi.log";

    s.port = free_port();
    s.render_nginx(stack_script, bin_dir, config);  // also makes run/ and log/
    s.start_pool(bin_dir, config, overrides);
    for (int attempt = 1;; ++attempt) {
        if (s.start_nginx()) break;
        const std::string why = read_text_file(s.log_dir + "/nginx-error.log") +
                                read_text_file(s.log_dir + "/nginx.out");
        if (attempt == 3 || why.find("Address already in use") == std::string::npos) {
            throw std::runtime_error(s.failure("nginx exited during start-up (status " +
                                               std::to_string(s.nginx.exit_status().value_or(-1)) +
                                               ")"));
        }
        s.port = free_port();  // lost the race for the port: another one
        s.render_nginx(stack_script, bin_dir, config);
    }
}

PrivateStack::PrivateStack(std::initializer_list<Override> overrides)
    : PrivateStack([&] {
          std::vector<std::pair<std::string, std::string>> list;
          for (const auto& o : overrides) list.emplace_back(o.name, o.value);
          return list;
      }()) {}

PrivateStack::~PrivateStack() {
    // nginx first, so nothing new reaches the pool while it drains.
    impl_->nginx.stop(seconds(10));
    impl_->pool.stop(impl_->pool_grace);
    // The temp dir (and the logs) go with impl_: say what is worth keeping.
    const std::string log = pool_log();
    // The same test as scripts/test's for the shared pool: a report is an
    // ERROR line (ASan's warnings, e.g. about a huge allocation libfcgi asks
    // for, are not findings).
    static const std::regex report("ERROR: (Address|Leak|Thread|Memory)Sanitizer|runtime error:");
    std::string reports;
    std::istringstream lines(log);
    for (std::string line; std::getline(lines, line);) {
        if (!std::regex_search(line, report)) continue;
        const auto& expected = impl_->expected_reports;
        if (std::any_of(expected.begin(), expected.end(),
                        [&](const std::string& e) { return line.find(e) != std::string::npos; }))
            continue;
        reports += line + "\n";
    }
    if (!reports.empty()) {
        BOOST_ERROR("sanitizer report in the private pool's log:\n"
                    << reports << "----- last lines -----\n"
                    << tail_lines(log, 80));
    } else if (std::uncaught_exceptions() > 0 || current_test_failed()) {
        std::cerr << impl_->failure("the test failed; the logs before they are removed") << "\n";
    }
}

void PrivateStack::expect_sanitizer_report(std::string text) {
    impl_->expected_reports.push_back(std::move(text));
}

std::string PrivateStack::base_url() const {
    return "http://127.0.0.1:" + std::to_string(impl_->port);
}

pid_t PrivateStack::pool_pid() const {
    return impl_->pool.pid();
}

std::vector<pid_t> PrivateStack::worker_pids() const {
    std::vector<pid_t> pids;
    const pid_t parent = impl_->pool.pid();
    // Error codes, not exceptions: processes come and go while we look.
    std::error_code ec;
    for (fs::directory_iterator entry("/proc", ec), end; !ec && entry != end; entry.increment(ec)) {
        const std::string name = entry->path().filename().string();
        if (name.empty() || !std::all_of(name.begin(), name.end(),
                                         [](unsigned char c) { return std::isdigit(c); })) {
            continue;
        }
        // /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces
        // and parentheses, so parse from the last ')'.
        const std::string stat = read_text_file(entry->path().string() + "/stat");
        const auto close = stat.rfind(')');
        if (close == std::string::npos || close + 4 > stat.size()) continue;
        const char state = stat[close + 2];
        const pid_t ppid = static_cast<pid_t>(std::atol(stat.c_str() + close + 4));
        if (ppid == parent && state != 'Z' && state != 'X') pids.push_back(std::stoi(name));
    }
    std::sort(pids.begin(), pids.end());
    return pids;
}

int PrivateStack::stop_pool(milliseconds timeout) {
    if (auto status = impl_->pool.exit_status()) return *status;
    impl_->pool.signal(SIGTERM);
    return impl_->pool.wait_for_exit(timeout).value_or(-1);
}

void PrivateStack::reload_pool() {
    impl_->pool.signal(SIGHUP);
}

std::string PrivateStack::pool_log() const {
    return read_text_file(impl_->pool_log_path);
}

bool PrivateStack::wait_for_log(const std::string& needle, milliseconds timeout) const {
    return wait_until([&] { return pool_log().find(needle) != std::string::npos; }, timeout);
}

std::string PrivateStack::dir() const {
    return impl_->dir.path();
}

}  // namespace mfo::test
