#pragma once
// Child processes and temporary directories for the tests, as RAII owners:
// a ChildProcess that goes out of scope is stopped (SIGTERM, bounded wait,
// SIGKILL of its process group) and reaped; a TempDir is removed.
//
// Exit statuses follow the shell: the exit code, or 128+N when killed by
// signal N.

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

// In a namespace of their own: tests/support is linked into every suite,
// next to suite helpers (tests/db has its own TempDir and CommandResult).
namespace mfo::test::proc {

using EnvOverrides = std::vector<std::pair<std::string, std::string>>;

// A fresh directory (mode 0700 until the owner changes it) under the system
// temp dir, or under /tmp when that path is too long for the unix sockets
// placed inside; removed with everything in it on destruction.
class TempDir {
public:
    explicit TempDir(const std::string& prefix = "mfo-test-");
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

struct SpawnOptions {
    std::vector<std::string> argv;  // argv[0]: a path, or a name looked up in PATH
    EnvOverrides env;               // set (or replaced) on top of our environment
    std::string cwd;                // empty: ours
    std::string output_path;        // stdout+stderr appended here; empty: see output_fd
    int output_fd = -1;             // used when output_path is empty; -1: /dev/null
    // Own session and process group: a terminal's signals do not reach it
    // directly, and stop() can kill whatever it forked along with it.
    bool new_session = true;
    // SIGTERM when the thread that spawned it exits (a crashed test run does
    // not leave servers behind). Spawn and destroy in the same thread.
    bool die_with_parent = true;
    // How long the destructor waits after SIGTERM before SIGKILL.
    std::chrono::milliseconds stop_grace{10'000};
};

class ChildProcess {
public:
    ChildProcess() = default;
    explicit ChildProcess(const SpawnOptions& options);  // throws std::runtime_error
    ~ChildProcess();
    ChildProcess(ChildProcess&& other) noexcept;
    ChildProcess& operator=(ChildProcess&& other) noexcept;
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    pid_t pid() const { return pid_; }
    // Not started, or exited (and reaped).
    bool running();
    // Waits up to `timeout` for it to exit; its exit status, or nullopt if it
    // still runs. Also returns the status of an earlier exit.
    std::optional<int> wait_for_exit(std::chrono::milliseconds timeout);
    // Sends `sig` while it runs (a no-op after it exited).
    void signal(int sig);
    // SIGTERM, up to `grace` to exit, then SIGKILL; returns the exit status.
    int stop(std::chrono::milliseconds grace);
    std::optional<int> exit_status() const { return status_; }

private:
    void release() noexcept;
    void reap_exited();

    pid_t pid_ = -1;
    bool new_session_ = false;
    std::chrono::milliseconds stop_grace_{10'000};
    std::optional<int> status_;
};

struct CommandResult {
    int status = -1;     // exit status (see above)
    std::string output;  // stdout and stderr, interleaved
};

// Runs a command to completion (stdin /dev/null) and collects its output.
// Throws std::runtime_error if it cannot start or takes longer than
// `timeout` (it is then killed).
CommandResult run_command(const std::vector<std::string>& argv, const EnvOverrides& env = {},
                          std::chrono::milliseconds timeout = std::chrono::seconds(60),
                          const std::string& cwd = "");

// The whole file ("" when it cannot be read) and its last `lines` lines.
std::string read_text_file(const std::string& path);
std::string tail_lines(const std::string& text, std::size_t lines);

// Calls `condition` until it returns true or `timeout` has passed (checking
// every `interval`); returns its last answer. The bounded poll loop every
// test wait goes through.
template <typename Condition>
bool wait_until(Condition&& condition, std::chrono::milliseconds timeout,
                std::chrono::milliseconds interval = std::chrono::milliseconds(10));

void pause_between_polls(std::chrono::milliseconds interval);

template <typename Condition>
bool wait_until(Condition&& condition, std::chrono::milliseconds timeout,
                std::chrono::milliseconds interval) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (condition()) return true;
        if (std::chrono::steady_clock::now() >= deadline) return false;
        pause_between_polls(interval);
    }
}

}  // namespace mfo::test::proc
