#include "cluster_support.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <stdexcept>

#include "child_process.hpp"
#include "crypto.hpp"

namespace mfo::test::cluster {

namespace {

std::string env_or(const char* name, const std::string& fallback) {
    const char* v = std::getenv(name);
    return v && *v ? std::string(v) : fallback;
}

std::string joined(const std::vector<std::string>& args) {
    std::string out;
    for (const auto& a : args) out += (out.empty() ? "" : " ") + a;
    return out;
}

}  // namespace

double seconds_between(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
}

const ClusterEnv& cluster_env() {
    static const ClusterEnv env = [] {
        ClusterEnv e;
        e.url = require_env("MFO_CLUSTER_URL");
        e.pool_url[1] = require_env("MFO_CLUSTER_POOL1_URL");
        e.pool_url[2] = require_env("MFO_CLUSTER_POOL2_URL");
        e.pool_config[1] = require_env("MFO_CLUSTER_POOL1_CONFIG");
        e.pool_config[2] = require_env("MFO_CLUSTER_POOL2_CONFIG");
        e.dir = require_env("MFO_CLUSTER_DIR");
        e.script = env_or("MFO_TEST_CLUSTER_SCRIPT",
                          require_env("MFO_TEST_REPO_DIR") + "/scripts/cluster");
        e.bin_dir = require_env("MFO_TEST_BIN_DIR");
        e.base_port = std::stoi(env_or("MFO_CLUSTER_BASE_PORT", "13300"));
        return e;
    }();
    return env;
}

CommandOutput cluster_command(const std::vector<std::string>& args,
                              std::chrono::milliseconds timeout) {
    const ClusterEnv& env = cluster_env();
    std::vector<std::string> argv{env.script, "--dir", env.dir};
    argv.insert(argv.end(), args.begin(), args.end());
    // Output in an anonymous file: a daemon the script starts cannot hold a
    // pipe open and hang us.
    const int fd = ::memfd_create("cluster-command", MFD_CLOEXEC);
    if (fd < 0) throw std::runtime_error("memfd_create failed");
    proc::SpawnOptions options;
    options.argv = argv;
    options.output_fd = fd;
    // Not a session of its own: when the script exits, its process group is
    // not killed (what it starts - mariadbd, a pool - must live on).
    options.new_session = false;
    options.die_with_parent = false;
    options.stop_grace = std::chrono::milliseconds(5'000);
    CommandOutput result;
    const auto started = Clock::now();
    std::optional<int> status;
    {
        proc::ChildProcess child(options);
        status = child.wait_for_exit(timeout);
        if (!status) child.stop(std::chrono::milliseconds(5'000));
    }
    result.seconds = seconds_between(started, Clock::now());
    char buf[8192];
    off_t offset = 0;
    for (ssize_t n; (n = ::pread(fd, buf, sizeof buf, offset)) > 0; offset += n) {
        result.output.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    if (!status) {
        throw std::runtime_error(joined(argv) + ": still running after " +
                                 std::to_string(timeout.count()) + " ms (stopped); output:\n" +
                                 proc::tail_lines(result.output, 40));
    }
    result.status = *status;
    return result;
}

CommandOutput cluster_command_ok(const std::vector<std::string>& args,
                                 std::chrono::milliseconds timeout) {
    CommandOutput r = cluster_command(args, timeout);
    if (r.status != 0) {
        throw std::runtime_error("scripts/cluster " + joined(args) + " exited " +
                                 std::to_string(r.status) + ":\n" + proc::tail_lines(r.output, 40));
    }
    return r;
}

std::vector<std::string> node_sql(int node, const std::string& sql) {
    const CommandOutput r = cluster_command(
        {"sql", std::to_string(node), "--batch", "--skip-column-names", "-e", sql}, 30s);
    if (r.status != 0) {
        throw std::runtime_error("SQL on node " + std::to_string(node) + " failed (" +
                                 std::to_string(r.status) + "): " + sql + "\n" +
                                 proc::tail_lines(r.output, 20));
    }
    std::vector<std::string> rows;
    std::istringstream in(r.output);
    for (std::string line; std::getline(in, line);) {
        if (!line.empty()) rows.push_back(line);
    }
    return rows;
}

std::optional<std::string> node_status(int node, const std::string& name) {
    try {
        const CommandOutput r =
            cluster_command({"sql", std::to_string(node), "--batch", "--skip-column-names", "-e",
                             "SHOW GLOBAL STATUS LIKE '" + name + "'"},
                            10s);
        if (r.status != 0) return std::nullopt;
        std::istringstream in(r.output);
        for (std::string line; std::getline(in, line);) {
            const auto tab = line.find('\t');
            if (tab != std::string::npos && line.substr(0, tab) == name)
                return line.substr(tab + 1);
        }
    } catch (const std::exception&) {
    }
    return std::nullopt;
}

void figure(const std::string& text) {
    static std::mutex mutex;
    std::lock_guard lock(mutex);
    BOOST_TEST_MESSAGE("figure: " << text);
    std::cout << "figure: " << text << std::endl;
    if (const char* dir = std::getenv("MFO_TEST_LOG_DIR"); dir && *dir) {
        std::ofstream(std::string(dir) + "/cluster-figures.log", std::ios::app) << text << "\n";
    }
}

std::string cluster_email(const std::string& tag) {
    return "c-" + tag + "-" + crypto::hex(crypto::random_bytes(8)) + "@example.com";
}

std::string cluster_password() {
    return "Pw-" + crypto::hex(crypto::random_bytes(8)) + "-c";
}

const char* outcome_name(RegisterOutcome o) {
    switch (o) {
        case RegisterOutcome::created:
            return "created";
        case RegisterOutcome::taken:
            return "taken";
        case RegisterOutcome::refused_other:
            return "refused (other)";
        case RegisterOutcome::failed:
            return "failed";
    }
    return "?";
}

namespace {

bool sets_session_cookie(const HttpResponse& r) {
    for (const auto& c : r.set_cookies) {
        const auto eq = c.find('=');
        if (eq == std::string::npos) continue;
        const std::string name = c.substr(0, eq);
        if ((name == "mfo_session" || name == "__Host-mfo_session") && eq + 1 < c.size() &&
            c[eq + 1] != ';')
            return true;
    }
    return false;
}

}  // namespace

RegisterForm open_register_form(HttpClient& client) {
    RegisterForm form;
    try {
        const HttpResponse page = client.get("/register");
        form.status = page.status;
        form.token = input_value(page.body, "csrf_token");
        form.ok = page.status == 200 && !form.token.empty();
    } catch (const std::exception&) {
        form.ok = false;
    }
    return form;
}

RegisterOutcome submit_registration(HttpClient& client, const RegisterForm& form,
                                    const std::string& email, const std::string& password,
                                    long* status) {
    if (status) *status = form.status;
    if (!form.ok) return RegisterOutcome::failed;
    try {
        const HttpResponse r = client.post_form("/register", {{"email", email},
                                                              {"password", password},
                                                              {"password_confirm", password},
                                                              {"csrf_token", form.token}});
        if (status) *status = r.status;
        if (r.status == 302 && sets_session_cookie(r)) return RegisterOutcome::created;
        if (r.status == 200 &&
            r.body.find(email + " is already associated with an account.") != std::string::npos)
            return RegisterOutcome::taken;
        if (r.status == 200) return RegisterOutcome::refused_other;
        return RegisterOutcome::failed;
    } catch (const std::exception&) {
        if (status) *status = 0;
        return RegisterOutcome::failed;
    }
}

bool try_login(HttpClient& client, const std::string& email, const std::string& password,
               long* status) {
    if (status) *status = 0;
    try {
        const HttpResponse page = client.get("/login");
        const std::string token = input_value(page.body, "csrf_token");
        if (status) *status = page.status;
        if (page.status != 200 || token.empty()) return false;
        const HttpResponse r = client.post_form(
            "/login", {{"email", email}, {"password", password}, {"csrf_token", token}});
        if (status) *status = r.status;
        return r.status == 302 && sets_session_cookie(r);
    } catch (const std::exception&) {
        return false;
    }
}

bool browse_home(HttpClient& client, const std::string& email, long* status) {
    if (status) *status = 0;
    try {
        const HttpResponse r = client.get("/");
        if (status) *status = r.status;
        return r.status == 200 && r.body.find("Signed in as") != std::string::npos &&
               r.body.find(email) != std::string::npos;
    } catch (const std::exception&) {
        return false;
    }
}

std::string session_cookie(HttpClient& client) {
    for (const char* name : {"mfo_session", "__Host-mfo_session"}) {
        auto it = client.cookies().find(name);
        if (it != client.cookies().end() && !it->second.empty()) return it->second;
    }
    return "";
}

}  // namespace mfo::test::cluster
