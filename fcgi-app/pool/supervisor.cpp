#include "pool/supervisor.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <optional>

#include "http/request_log.hpp"
#include "pool/listen_socket.hpp"
#include "pool/worker_process.hpp"

namespace mfo {

namespace {

using Clock = std::chrono::steady_clock;

struct WorkerInfo {
    int slot = 0;
    int generation = 0;
    Clock::time_point started;
};

struct Slot {
    int quick_deaths = 0;          // consecutive deaths soon after start
    Clock::time_point respawn_at;  // when a dead slot is refilled
    bool waiting = false;
};

class Supervisor {
  public:
    Supervisor(std::string config_path, std::shared_ptr<const AppContext> app, ListenSocket socket,
               std::optional<ListenSocket> authorizer_socket, int signal_fd,
               bool test_routes_available)
        : config_path_(std::move(config_path)),
          app_(std::move(app)),
          socket_(std::move(socket)),
          authorizer_socket_(std::move(authorizer_socket)),
          signal_fd_(signal_fd),
          test_routes_available_(test_routes_available) {}

    int run() {
        slots_.resize(static_cast<std::size_t>(app_->config.workers));
        for (int i = 0; i < app_->config.workers; ++i) spawn(i);
        log_event("mfo-fcgi supervisor listening on " + socket_.description() +
                  (authorizer_socket_ ? " and " + authorizer_socket_->description() : "") +
                  " with " + std::to_string(app_->config.workers) + " workers x " +
                  std::to_string(app_->config.threads) + " threads");
        while (!stopping_) {
            wait_for_event(next_respawn_timeout_ms());
            respawn_due();
        }
        return drain_and_exit();
    }

  private:
    void spawn(int slot) {
        const pid_t pid = ::fork();
        if (pid < 0) {
            log_event("fork failed; retrying shortly");
            schedule_respawn(slot, std::chrono::milliseconds(500));
            return;
        }
        if (pid == 0) {
            ::close(signal_fd_);
            run_worker_process(app_, socket_.fd(),
                               authorizer_socket_ ? authorizer_socket_->fd() : -1);
        }
        workers_[pid] = WorkerInfo{slot, generation_, Clock::now()};
        slots_[static_cast<std::size_t>(slot)].waiting = false;
    }

    void schedule_respawn(int slot, Clock::duration delay) {
        auto& s = slots_[static_cast<std::size_t>(slot)];
        s.waiting = true;
        s.respawn_at = Clock::now() + delay;
    }

    int next_respawn_timeout_ms() const {
        int timeout = -1;
        for (const auto& s : slots_) {
            if (!s.waiting) continue;
            const auto ms =
                std::chrono::duration_cast<std::chrono::milliseconds>(s.respawn_at - Clock::now())
                    .count();
            const int t = static_cast<int>(std::max<long long>(0, ms));
            timeout = timeout < 0 ? t : std::min(timeout, t);
        }
        return timeout;
    }

    void respawn_due() {
        if (stopping_) return;
        for (std::size_t i = 0; i < slots_.size(); ++i) {
            if (slots_[i].waiting && Clock::now() >= slots_[i].respawn_at) {
                spawn(static_cast<int>(i));
            }
        }
    }

    void wait_for_event(int timeout_ms) {
        pollfd pfd{signal_fd_, POLLIN, 0};
        if (::poll(&pfd, 1, timeout_ms) <= 0) return;
        signalfd_siginfo info{};
        while (::read(signal_fd_, &info, sizeof info) == sizeof info) {
            switch (info.ssi_signo) {
                case SIGCHLD:
                    reap();
                    break;
                case SIGHUP:
                    reload();
                    break;
                case SIGTERM:
                case SIGINT:
                    stopping_ = true;
                    break;
                default:
                    break;
            }
        }
    }

    void reap() {
        int status = 0;
        pid_t pid;
        while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
            auto it = workers_.find(pid);
            if (it == workers_.end()) continue;
            const WorkerInfo info = it->second;
            workers_.erase(it);
            if (info.generation != generation_ || stopping_) continue;  // drained on purpose
            const std::string how = WIFSIGNALED(status)
                                        ? "signal " + std::to_string(WTERMSIG(status))
                                        : "exit status " + std::to_string(WEXITSTATUS(status));
            auto& slot = slots_[static_cast<std::size_t>(info.slot)];
            const bool quick = Clock::now() - info.started < std::chrono::seconds(5);
            slot.quick_deaths = quick ? slot.quick_deaths + 1 : 0;
            // First death: at once. A worker that keeps dying: 0.5 s, 1 s, ... 30 s.
            const auto delay = slot.quick_deaths <= 1
                                   ? std::chrono::milliseconds(0)
                                   : std::chrono::milliseconds(std::min(
                                         30'000, 250 << std::min(slot.quick_deaths - 1, 7)));
            log_event("worker " + std::to_string(pid) + " died (" + how + "); respawning in " +
                      std::to_string(delay.count()) + " ms");
            schedule_respawn(info.slot, delay);
        }
    }

    void reload() {
        std::shared_ptr<const AppContext> fresh;
        try {
            Config config = load_config(config_path_);
            if (config.listen != app_->config.listen) {
                log_warning("reload: a changed listen address needs a restart; keeping " +
                            app_->config.listen);
                config.listen = app_->config.listen;
            }
            if (config.authorizer_listen != app_->config.authorizer_listen) {
                log_event("reload: a changed authorizer_listen needs a restart; keeping " +
                          app_->config.authorizer_listen);
                config.authorizer_listen = app_->config.authorizer_listen;
            }
            fresh = load_app_context(config, test_routes_available_);
        } catch (const std::exception& e) {
            log_warning(std::string("reload refused, keeping the running configuration: ") +
                        e.what());
            return;
        }
        app_ = std::move(fresh);
        ++generation_;
        std::vector<pid_t> old;
        for (const auto& [pid, info] : workers_) old.push_back(pid);
        slots_.assign(static_cast<std::size_t>(app_->config.workers), Slot{});
        for (int i = 0; i < app_->config.workers; ++i) spawn(i);
        // The new workers are accepting; the old ones stop taking requests and drain.
        for (pid_t pid : old) ::kill(pid, SIGTERM);
        log_event("reloaded configuration; " + std::to_string(old.size()) +
                  " old workers draining");
    }

    int drain_and_exit() {
        log_event("stopping: draining workers");
        for (const auto& [pid, info] : workers_) ::kill(pid, SIGTERM);
        const auto deadline = Clock::now() + std::chrono::seconds(app_->config.drain_timeout + 2);
        bool clean = true;
        while (!workers_.empty()) {
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now())
                    .count();
            if (left <= 0) {
                for (const auto& [pid, info] : workers_) ::kill(pid, SIGKILL);
                clean = false;
                log_event("drain timeout: killed remaining workers");
                while (::waitpid(-1, nullptr, 0) > 0) {
                }
                workers_.clear();
                break;
            }
            pollfd pfd{signal_fd_, POLLIN, 0};
            ::poll(&pfd, 1, static_cast<int>(left));
            signalfd_siginfo info{};
            while (::read(signal_fd_, &info, sizeof info) == sizeof info) {
            }
            int status = 0;
            pid_t pid;
            while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
                if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) clean = false;
                workers_.erase(pid);
            }
        }
        socket_.unlink_path();
        if (!app_->config.pid_file.empty()) ::unlink(app_->config.pid_file.c_str());
        log_event(clean ? "stopped" : "stopped (some requests were cut off)");
        return clean ? 0 : 1;
    }

    std::string config_path_;
    std::shared_ptr<const AppContext> app_;
    ListenSocket socket_;
    std::optional<ListenSocket> authorizer_socket_;
    int signal_fd_;
    bool test_routes_available_;
    std::map<pid_t, WorkerInfo> workers_;
    std::vector<Slot> slots_;
    int generation_ = 0;
    bool stopping_ = false;
};

}  // namespace

int run_supervisor(const std::string& config_path, std::shared_ptr<const AppContext> app,
                   bool test_routes_available) {
    sigset_t signals;
    sigemptyset(&signals);
    for (int s : {SIGCHLD, SIGHUP, SIGTERM, SIGINT}) sigaddset(&signals, s);
    sigprocmask(SIG_BLOCK, &signals, nullptr);
    ::signal(SIGPIPE, SIG_IGN);
    const int signal_fd = ::signalfd(-1, &signals, SFD_NONBLOCK | SFD_CLOEXEC);
    if (signal_fd < 0) {
        log_event("cannot create signalfd");
        return 1;
    }
    ListenSocket socket = ListenSocket::open(app->config);
    std::optional<ListenSocket> authorizer_socket;
    if (!app->config.authorizer_listen.empty())
        authorizer_socket.emplace(ListenSocket::open(app->config, app->config.authorizer_listen));
    if (!app->config.pid_file.empty()) {
        std::ofstream(app->config.pid_file) << ::getpid() << "\n";
    }
    Supervisor supervisor(config_path, std::move(app), std::move(socket),
                          std::move(authorizer_socket), signal_fd, test_routes_available);
    const int rc = supervisor.run();
    ::close(signal_fd);
    return rc;
}

}  // namespace mfo
