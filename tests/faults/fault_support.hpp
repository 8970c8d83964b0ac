#pragma once
// Helpers of the fault suite: the private stack it injects faults into, the
// shared MariaDB's process, a logged-in browsing client, figure lines.

#include <sys/types.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "http_client.hpp"
#include "load.hpp"

namespace mfo::test::faults {

// The pool of the reproduction: 2 workers x 8 threads, and database
// timeouts short enough for a bounded suite (read/write 3 s, connect 2 s).
constexpr int kReadTimeoutS = 3;
std::vector<std::pair<std::string, std::string>> fault_stack_settings();

// "figure: CASE: TEXT" in the test log, on stdout and in
// $MFO_TEST_LOG_DIR/fault-figures.log (printed by scripts/test at the end).
void figure(const std::string& fault_case, const std::string& text);

// True in scripts/test --sanitize (MFO_TEST_SANITIZE=1): latency targets
// are release-build figures and are printed but not asserted there.
bool sanitized_build();

// A new active account, logged in through `base_url`'s login form.
HttpClient logged_in_client(const std::string& base_url, const std::string& tag);

// The shared MariaDB's server process (scripts/test's stack).
pid_t mariadbd_pid();

// SIGSTOP of the shared mariadbd for the object's life (SIGCONT however the
// test ends: every later test needs the server).
class FrozenDatabase {
  public:
    FrozenDatabase();
    ~FrozenDatabase();
    FrozenDatabase(const FrozenDatabase&) = delete;
    FrozenDatabase& operator=(const FrozenDatabase&) = delete;
    void thaw();

  private:
    pid_t pid_;
    bool frozen_ = false;
};

// scripts/lib/stack.sh stop-db / start-db of the shared stack; start-db
// however the test ends.
class StoppedDatabase {
  public:
    StoppedDatabase();  // returns once mariadbd has exited
    ~StoppedDatabase();
    StoppedDatabase(const StoppedDatabase&) = delete;
    StoppedDatabase& operator=(const StoppedDatabase&) = delete;
    void start();  // returns once the server answers

  private:
    bool stopped_ = false;
};

std::size_t count_of(const std::string& haystack, const std::string& needle);

}  // namespace mfo::test::faults
