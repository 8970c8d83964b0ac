#include "child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <thread>

extern char** environ;

namespace mfo::test::proc {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

namespace {

std::runtime_error sys_error(const std::string& what) {
    return std::runtime_error(what + ": " + std::strerror(errno));
}

// An fd closed on scope exit.
class Fd {
public:
    explicit Fd(int fd = -1) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }

private:
    int fd_;
};

// The shell's convention, so callers can compare with what scripts print.
int decode_status(const siginfo_t& info) {
    return info.si_code == CLD_EXITED ? info.si_status : 128 + info.si_status;
}

std::string find_in_path(const std::string& name) {
    if (name.find('/') != std::string::npos) return name;
    const char* path = std::getenv("PATH");
    std::stringstream dirs(path ? path : "/usr/local/bin:/usr/bin:/bin");
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
        const std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    for (const char* sbin : {"/usr/sbin/", "/sbin/"}) {
        const std::string candidate = sbin + name;
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    throw std::runtime_error(name + ": command not found");
}

// Our environment with `overrides` replacing or adding entries.
std::vector<std::string> child_environment(const EnvOverrides& overrides) {
    std::vector<std::string> env;
    for (char** e = environ; e && *e; ++e) {
        const std::string entry = *e;
        const std::string name = entry.substr(0, entry.find('='));
        bool replaced = false;
        for (const auto& [k, v] : overrides) replaced = replaced || k == name;
        if (!replaced) env.push_back(entry);
    }
    for (const auto& [k, v] : overrides) env.push_back(k + "=" + v);
    return env;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
    std::vector<char*> out;
    for (auto& s : strings) out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

// Waits until `pid` (our child) has exited, without reaping it: a zombie
// keeps its pid (and so its process group id) from being reused while we
// still signal the group. pidfd when the kernel has it; else a poll loop.
bool wait_exited(pid_t pid, milliseconds timeout) {
    auto exited = [pid] {
        siginfo_t info{};
        return ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
               info.si_pid == pid;
    };
    if (exited()) return true;
    const Fd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    if (pidfd.get() >= 0) {
        const auto deadline = Clock::now() + timeout;
        for (;;) {
            const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
            pollfd pfd{pidfd.get(), POLLIN, 0};
            const int n = ::poll(&pfd, 1, static_cast<int>(std::max<long long>(0, left.count())));
            if (n > 0 || exited()) return exited();
            if (n == 0 || Clock::now() >= deadline) return false;  // timeout (or EINTR at the end)
        }
    }
    return wait_until(exited, timeout, milliseconds(5));
}

}  // namespace

void pause_between_polls(milliseconds interval) {
    std::this_thread::sleep_for(interval);
}

// ---------------------------------------------------------------------------
// TempDir

TempDir::TempDir(const std::string& prefix) {
    std::string base;
    std::error_code ec;
    const fs::path tmp = fs::temp_directory_path(ec);
    // Leave room for "/run/mfo-fcgi.sock" and friends within sun_path (108).
    base = !ec && tmp.string().size() <= 48 ? tmp.string() : "/tmp";
    std::string pattern = base + "/" + prefix + "XXXXXX";
    if (!::mkdtemp(pattern.data())) throw sys_error("mkdtemp " + pattern);
    path_ = pattern;
}

TempDir::~TempDir() {
    std::error_code ec;  // never throw from a destructor; a leftover dir is harmless
    fs::remove_all(path_, ec);
}

// ---------------------------------------------------------------------------
// ChildProcess

ChildProcess::ChildProcess(const SpawnOptions& options)
    : new_session_(options.new_session), stop_grace_(options.stop_grace) {
    if (options.argv.empty()) throw std::runtime_error("ChildProcess: empty argv");
    // Everything the child needs is prepared here: between fork and exec in
    // a threaded process only async-signal-safe calls are allowed.
    const std::string program = find_in_path(options.argv.front());
    std::vector<std::string> args = options.argv;
    std::vector<std::string> env = child_environment(options.env);
    std::vector<char*> argv = c_strings(args);
    std::vector<char*> envp = c_strings(env);
    Fd output(
        options.output_path.empty()
            ? -1
            : ::open(options.output_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
    if (!options.output_path.empty() && output.get() < 0)
        throw sys_error("open " + options.output_path);
    const int out_fd = output.get() >= 0 ? output.get() : options.output_fd;
    Fd dev_null(::open("/dev/null", O_RDWR | O_CLOEXEC));
    if (dev_null.get() < 0) throw sys_error("open /dev/null");
    const pid_t parent = ::getpid();
    const std::string exec_failed = "cannot execute " + program + " (errno ";

    const pid_t pid = ::fork();
    if (pid < 0) throw sys_error("fork");
    if (pid == 0) {
        if (options.die_with_parent) {
            ::prctl(PR_SET_PDEATHSIG, SIGTERM);
            if (::getppid() != parent) ::_exit(127);  // the parent died before prctl
        }
        if (options.new_session) ::setsid();
        // Blocked or ignored signals survive exec: a server must start with
        // the defaults whatever the test process (or libcurl) changed.
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        for (int sig : {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGPIPE, SIGCHLD}) ::signal(sig, SIG_DFL);
        const int sink = out_fd >= 0 ? out_fd : dev_null.get();
        if (::dup2(dev_null.get(), 0) < 0 || ::dup2(sink, 1) < 0 || ::dup2(sink, 2) < 0)
            ::_exit(127);
        if (!options.cwd.empty() && ::chdir(options.cwd.c_str()) != 0) ::_exit(127);
        ::execve(program.c_str(), argv.data(), envp.data());
        // Say why in the output (write and a hand-made number: signal-safe).
        const int err = errno;
        char digits[4] = {static_cast<char>('0' + err / 100 % 10),
                          static_cast<char>('0' + err / 10 % 10), static_cast<char>('0' + err % 10),
                          ')'};
        (void)!::write(2, exec_failed.data(), exec_failed.size());
        (void)!::write(2, digits, sizeof digits);
        (void)!::write(2, "\n", 1);
        ::_exit(127);
    }
    pid_ = pid;
}

ChildProcess::~ChildProcess() {
    release();
}

void ChildProcess::release() noexcept {
    if (pid_ <= 0 || status_) return;
    try {
        stop(stop_grace_);
    } catch (...) {
        // Destructors must not throw; the pdeath signal is the last resort.
    }
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      new_session_(other.new_session_),
      stop_grace_(other.stop_grace_),
      status_(std::exchange(other.status_, std::nullopt)) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
    if (this != &other) {
        release();
        pid_ = std::exchange(other.pid_, -1);
        new_session_ = other.new_session_;
        stop_grace_ = other.stop_grace_;
        status_ = std::exchange(other.status_, std::nullopt);
    }
    return *this;
}

// Called once the child is a zombie: leftovers of its process group (e.g.
// the workers of a supervisor that was SIGKILLed) go too, then it is reaped.
void ChildProcess::reap_exited() {
    if (new_session_) ::kill(-pid_, SIGKILL);  // ESRCH when the group is empty
    siginfo_t info{};
    if (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED) == 0) {
        status_ = decode_status(info);
    } else {
        status_ = -1;
    }
}

bool ChildProcess::running() {
    if (pid_ <= 0 || status_) return false;
    if (wait_exited(pid_, milliseconds(0))) {
        reap_exited();
        return false;
    }
    return true;
}

std::optional<int> ChildProcess::wait_for_exit(milliseconds timeout) {
    if (pid_ <= 0) return std::nullopt;
    if (status_) return status_;
    if (!wait_exited(pid_, timeout)) return std::nullopt;
    reap_exited();
    return status_;
}

void ChildProcess::signal(int sig) {
    if (running()) ::kill(pid_, sig);
}

int ChildProcess::stop(milliseconds grace) {
    if (pid_ <= 0) return -1;
    if (status_) return *status_;
    ::kill(pid_, SIGTERM);
    if (auto status = wait_for_exit(grace)) return *status;
    if (new_session_) ::kill(-pid_, SIGKILL);
    ::kill(pid_, SIGKILL);
    if (auto status = wait_for_exit(milliseconds(10'000))) return *status;
    return -1;  // unkillable (D state): nothing more we can do
}

// ---------------------------------------------------------------------------
// Commands and files

CommandResult run_command(const std::vector<std::string>& argv, const EnvOverrides& env,
                          milliseconds timeout, const std::string& cwd) {
    // Output goes to an anonymous in-memory file rather than a pipe: a
    // daemon the command leaves running cannot hold it open and hang us.
    const Fd out(::memfd_create("mfo-test-output", MFD_CLOEXEC));
    if (out.get() < 0) throw sys_error("memfd_create");
    SpawnOptions options;
    options.argv = argv;
    options.env = env;
    options.cwd = cwd;
    options.output_fd = out.get();
    options.new_session = true;
    options.stop_grace = milliseconds(2'000);
    ChildProcess child(options);
    const auto status = child.wait_for_exit(timeout);

    CommandResult result;
    char buf[8192];
    off_t offset = 0;
    for (ssize_t n; (n = ::pread(out.get(), buf, sizeof buf, offset)) > 0; offset += n) {
        result.output.append(buf, static_cast<std::size_t>(n));
    }
    if (!status) {
        child.stop(milliseconds(2'000));
        std::string cmd;
        for (const auto& a : argv) cmd += (cmd.empty() ? "" : " ") + a;
        throw std::runtime_error(cmd + ": still running after " + std::to_string(timeout.count()) +
                                 " ms (killed); output:\n" + tail_lines(result.output, 40));
    }
    result.status = *status;
    return result;
}

std::string read_text_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string tail_lines(const std::string& text, std::size_t lines) {
    std::size_t pos = text.size();
    if (pos > 0 && text[pos - 1] == '\n') --pos;
    while (pos > 0 && lines > 0) {
        pos = text.rfind('\n', pos - 1);
        if (pos == std::string::npos) return text;
        --lines;
    }
    return lines == 0 ? text.substr(pos + 1) : text;
}

}  // namespace mfo::test::proc
