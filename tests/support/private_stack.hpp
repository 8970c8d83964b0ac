#pragma once
// A private mfo-fcgi pool with its own nginx, for tests that stop, kill,
// reload or reconfigure the pool: the shared stack of scripts/test is left
// alone. It uses the shared MariaDB (the test config's database).
//
// Everything lives in a fresh temp dir D:
//   D/run/mfo-fcgi.sock   the pool's socket      D/log/mfo-fcgi.log  its stderr
//   D/run/nginx.conf      rendered by scripts/lib/stack.sh from the same
//                         templates as the shared stack's
//   D/log/nginx-error.log, nginx-access.log, nginx.out
//
// Environment (exported by scripts/test): MFO_TEST_BIN_DIR, MFO_TEST_CONFIG,
// MFO_TEST_STACK_SCRIPT (or MFO_TEST_REPO_DIR).
//
// The processes get SIGTERM should the thread that made the stack die, so
// create and destroy a PrivateStack in the same thread (a test body).

#include <sys/types.h>

#include <chrono>
#include <concepts>
#include <initializer_list>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace mfo::test {

class PrivateStack {
  public:
    // Starts $MFO_TEST_BIN_DIR/mfo-fcgi-test with the test config ($MFO_TEST_CONFIG) plus
    // `overrides` (extra MFO_<SECTION>_<KEY> environment variables for the child, e.g.
    // {"MFO_SECURITY_SESSION_IDLE_TIMEOUT","2"}), listening on its own unix socket in a fresh
    // temp dir (MFO_SERVER_LISTEN, MFO_SERVER_PID_FILE overridden), plus a private nginx on a
    // free 127.0.0.1 port in front of it (config rendered from the same templates scripts/test
    // uses), both under that temp dir. Waits (bounded, 30 s) until GET /login answers through
    // nginx. Throws std::runtime_error with the log tails on failure.
    explicit PrivateStack(std::vector<std::pair<std::string, std::string>> overrides = {});

    // nginx's per-address limit on POSTs to the login and register routes
    // (conf/nginx/mfo.conf's @LOGIN_RATE@ and @LOGIN_BURST@); the shared
    // stack's generous one unless a test needs to reach it.
    struct LoginLimit {
        std::string rate = "50r/s";
        int burst = 100;
    };
    PrivateStack(std::vector<std::pair<std::string, std::string>> overrides,
                 LoginLimit login_limit);

    // The same for a braced list, so that PrivateStack stack({{"MFO_X", "1"}}) compiles: with
    // only the vector overload a single pair of string literals is ambiguous (it also reads as
    // a PrivateStack built from a vector of the iterator range ["MFO_X", "1"), i.e. a copy).
    // Override's constructor is a template because braced lists cannot be deduced: a nested
    // list such as {{{"A", "B"}, {"C", "D"}}} still selects the vector overload, instead of
    // making a string from the "range" {"A", "B"}.
    struct Override {
        template <typename Name, typename Value>
        requires std::constructible_from<std::string, Name> &&
            std::constructible_from<std::string, Value>
            Override(Name&& name, Value&& value)
            : name(std::forward<Name>(name)), value(std::forward<Value>(value)) {}
        std::string name;
        std::string value;
    };
    explicit PrivateStack(std::initializer_list<Override> overrides);
    ~PrivateStack();  // stops nginx and the pool (SIGTERM, bounded wait, SIGKILL), removes the dir
    PrivateStack(const PrivateStack&) = delete;
    PrivateStack& operator=(const PrivateStack&) = delete;

    std::string base_url() const;
    pid_t pool_pid() const;
    std::vector<pid_t> worker_pids() const;  // the supervisor's live children
    int stop_pool(
        std::chrono::milliseconds timeout);  // SIGTERM; returns the exit status (-1 on timeout)
    void reload_pool();                      // SIGHUP
    std::string pool_log() const;            // its stderr so far
    bool wait_for_log(const std::string& needle, std::chrono::milliseconds timeout) const;
    std::string dir() const;
    // A sanitizer ERROR line containing `text` is expected (a fault the test
    // injects on purpose), not a finding.
    void expect_sanitizer_report(std::string text);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace mfo::test
