#include "fault_support.hpp"

#include <signal.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <stdexcept>

#include "accounts.hpp"
#include "child_process.hpp"

namespace mfo::test::faults {

using namespace std::chrono_literals;

std::vector<std::pair<std::string, std::string>> fault_stack_settings() {
    return {{"MFO_SERVER_WORKERS", "2"},
            {"MFO_SERVER_THREADS", "8"},
            {"MFO_DATABASE_CONNECT_TIMEOUT", "2"},
            {"MFO_DATABASE_READ_TIMEOUT", std::to_string(kReadTimeoutS)},
            {"MFO_DATABASE_WRITE_TIMEOUT", std::to_string(kReadTimeoutS)}};
}

bool sanitized_build() {
    const char* v = std::getenv("MFO_TEST_SANITIZE");
    return v && std::string(v) == "1";
}

void figure(const std::string& fault_case, const std::string& text) {
    BOOST_TEST_MESSAGE("figure: " << fault_case << ": " << text);
    std::cout << "figure: " << fault_case << ": " << text << std::endl;
    // scripts/test prints this file after its summary (ctest hides the
    // output of a passing test).
    if (const char* dir = std::getenv("MFO_TEST_LOG_DIR"); dir && *dir) {
        std::ofstream(std::string(dir) + "/fault-figures.log", std::ios::app)
            << fault_case << ": " << text << "\n";
    }
}

HttpClient logged_in_client(const std::string& base_url, const std::string& tag) {
    const TestAccount account = create_account(tag);
    HttpClient client(base_url);
    login_ok(client, account.email, account.password);
    return client;
}

pid_t mariadbd_pid() {
    const std::string path = require_env("MFO_TEST_RUN_DIR") + "/stack.mariadbd.pid";
    std::ifstream in(path);
    long pid = 0;
    if (!(in >> pid) || pid <= 1) throw std::runtime_error("no mariadbd pid in " + path);
    return static_cast<pid_t>(pid);
}

FrozenDatabase::FrozenDatabase() : pid_(mariadbd_pid()) {
    if (::kill(pid_, SIGSTOP) != 0) throw std::runtime_error("cannot SIGSTOP mariadbd");
    frozen_ = true;
}

FrozenDatabase::~FrozenDatabase() {
    thaw();
}

void FrozenDatabase::thaw() {
    if (frozen_) ::kill(pid_, SIGCONT);
    frozen_ = false;
}

namespace {

std::string stack_script() {
    if (const char* s = std::getenv("MFO_TEST_STACK_SCRIPT"); s && *s) return s;
    return require_env("MFO_TEST_REPO_DIR") + "/scripts/lib/stack.sh";
}

}  // namespace

StoppedDatabase::StoppedDatabase() {
    stopped_ = true;  // whatever stop-db did, start() runs start-db
    const auto r = proc::run_command({"bash", stack_script(), "stop-db"}, {}, 90s);
    if (r.status != 0) throw std::runtime_error("stack.sh stop-db failed:\n" + r.output);
}

StoppedDatabase::~StoppedDatabase() {
    if (!stopped_) return;
    try {
        start();
    } catch (...) {
        // A destructor must not throw; a later test reports the database missing.
    }
}

void StoppedDatabase::start() {
    stopped_ = false;
    const auto r = proc::run_command({"bash", stack_script(), "start-db"}, {}, 90s);
    if (r.status != 0) throw std::runtime_error("stack.sh start-db failed:\n" + r.output);
}

std::size_t count_of(const std::string& haystack, const std::string& needle) {
    std::size_t n = 0;
    for (auto pos = haystack.find(needle); pos != std::string::npos;
         pos = haystack.find(needle, pos + needle.size())) {
        ++n;
    }
    return n;
}

}  // namespace mfo::test::faults
