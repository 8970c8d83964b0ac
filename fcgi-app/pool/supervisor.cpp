#include "pool/supervisor.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <optional>
#include <random>

#include "http/request_log.hpp"
#include "ops/pool_stats.hpp"
#include "pool/listen_queue.hpp"
#include "pool/listen_socket.hpp"
#include "pool/worker_process.hpp"

namespace mfo {

namespace {

using Clock = std::chrono::steady_clock;

// How often the supervisor looks at the workers' figures (request_timeout,
// max_rss_mb, the listen queue) when no signal wakes it.
constexpr int kTickMs = 250;

struct WorkerInfo {
    int slot = 0;
    int generation = 0;
    Clock::time_point started;
    WorkerEntry* entry = nullptr;
    bool replaced = false;      // a successor serves its slot; it drains
    Clock::time_point kill_at;  // when replaced: SIGKILL if still alive then
};

struct Slot {
    int quick_deaths = 0;          // consecutive deaths soon after start
    Clock::time_point respawn_at;  // when a dead slot is refilled
    bool waiting = false;
};

std::int64_t rss_kb_of(pid_t pid) {
    std::ifstream statm("/proc/" + std::to_string(pid) + "/statm");
    long long size = 0, resident = 0;
    if (!(statm >> size >> resident)) return 0;
    static const long page_kb = ::sysconf(_SC_PAGESIZE) / 1024;
    return resident * page_kb;
}

class Supervisor {
  public:
    Supervisor(std::string config_path, std::shared_ptr<const AppContext> app, ListenSocket socket,
               std::optional<ListenSocket> authorizer_socket, int signal_fd, int notify_fd,
               bool test_routes_available)
        : config_path_(std::move(config_path)),
          app_(std::move(app)),
          socket_(std::move(socket)),
          authorizer_socket_(std::move(authorizer_socket)),
          signal_fd_(signal_fd),
          notify_fd_(notify_fd),
          test_routes_available_(test_routes_available),
          stats_(create_pool_stats()) {}

    int run() {
        publish_config();
        slots_.resize(static_cast<std::size_t>(app_->config.workers));
        for (int i = 0; i < app_->config.workers; ++i) spawn(i);
        log_event("mfo-fcgi supervisor listening on " + socket_.description() +
                  (authorizer_socket_ ? " and " + authorizer_socket_->description() : "") +
                  " with " + std::to_string(app_->config.workers) + " workers x " +
                  std::to_string(app_->config.threads) + " threads");
        auto next_tick = Clock::now();
        while (!stopping_) {
            const auto to_tick =
                std::chrono::duration_cast<std::chrono::milliseconds>(next_tick - Clock::now())
                    .count();
            int timeout = static_cast<int>(std::max<long long>(0, to_tick));
            const int respawn = next_respawn_timeout_ms();
            if (respawn >= 0) timeout = std::min(timeout, respawn);
            wait_for_event(timeout);
            respawn_due();
            if (Clock::now() >= next_tick) {
                watch_workers();
                next_tick = Clock::now() + std::chrono::milliseconds(kTickMs);
            }
        }
        return drain_and_exit();
    }

  private:
    void publish_config() {
        stats_.workers_configured = app_->config.workers;
        stats_.threads_configured = app_->config.threads;
    }

    WorkerEntry* free_entry() {
        for (WorkerEntry& e : stats_.entries) {
            if (e.state.load() == static_cast<int>(WorkerStage::free)) return &e;
        }
        return nullptr;
    }

    // Each worker's own limit: max_requests less up to a tenth, so that
    // workers started together do not all restart together.
    std::uint64_t request_limit() {
        const int max = app_->config.max_requests;
        if (max <= 0) return 0;
        std::uniform_int_distribution<int> jitter(0, max / 10);
        return static_cast<std::uint64_t>(max - jitter(random_));
    }

    void spawn(int slot) {
        WorkerEntry* entry = free_entry();
        if (!entry) {
            log_event("no free worker statistics entry; retrying shortly");
            schedule_respawn(slot, std::chrono::milliseconds(500));
            return;
        }
        entry->slot = slot;
        entry->started_unix = static_cast<std::int64_t>(std::time(nullptr));
        entry->threads = app_->config.threads;
        entry->request_limit = request_limit();
        entry->retire_cause = -1;
        entry->state = static_cast<int>(WorkerStage::starting);
        const pid_t pid = ::fork();
        if (pid < 0) {
            entry->state = static_cast<int>(WorkerStage::free);
            log_event("fork failed; retrying shortly");
            schedule_respawn(slot, std::chrono::milliseconds(500));
            return;
        }
        if (pid == 0) {
            ::close(signal_fd_);
            entry->pid = ::getpid();
            set_own_worker_entry(entry);
            run_worker_process(app_, socket_.fd(),
                               authorizer_socket_ ? authorizer_socket_->fd() : -1, notify_fd_);
        }
        entry->pid = pid;
        workers_[pid] = WorkerInfo{slot, generation_, Clock::now(), entry, false, {}};
        slots_[static_cast<std::size_t>(slot)].waiting = false;
    }

    // A graceful replacement: the successor starts accepting first, then the
    // old worker stops accepting and finishes what it has (within
    // drain_timeout; it is killed 2 s after that if it is stuck).
    void replace(pid_t pid, RestartCause cause, const std::string& why) {
        auto it = workers_.find(pid);
        if (it == workers_.end() || it->second.replaced || stopping_) return;
        WorkerInfo& info = it->second;
        info.replaced = true;
        info.kill_at = Clock::now() + std::chrono::seconds(app_->config.drain_timeout + 2);
        info.entry->state = static_cast<int>(WorkerStage::draining);
        ++stats_.restarts[static_cast<unsigned>(cause)];
        log_event("replacing worker " + std::to_string(pid) + " (" + restart_cause_name(cause) +
                  "): " + why);
        if (info.generation == generation_) spawn(info.slot);
        ::kill(pid, SIGTERM);
    }

    // The periodic look at the workers: requests past request_timeout,
    // workers past max_rss_mb or asking to retire, replaced workers that do
    // not exit, and the listen queue.
    void watch_workers() {
        const ListenQueue queue = read_listen_queue(socket_.fd());
        stats_.listen_queue = queue.waiting;
        stats_.listen_backlog = queue.limit;
        const auto& cfg = app_->config;
        const std::int64_t now_ns = steady_now_ns();
        std::vector<std::pair<pid_t, std::pair<RestartCause, std::string>>> to_replace;
        std::vector<pid_t> to_kill;
        for (auto& [pid, info] : workers_) {
            WorkerEntry& e = *info.entry;
            e.rss_kb = rss_kb_of(pid);
            if (info.replaced) {
                if (Clock::now() >= info.kill_at) to_kill.push_back(pid);
                continue;
            }
            if (cfg.request_timeout > 0) {
                const int threads = std::min(e.threads.load(), WorkerEntry::kMaxThreads);
                for (int t = 0; t < threads; ++t) {
                    const InflightRequest& r = e.inflight[t];
                    const std::int64_t started = r.started_ns.load(std::memory_order_acquire);
                    const std::int64_t ms = (now_ns - started) / 1'000'000;
                    if (started == 0 || ms < cfg.request_timeout * 1000LL) continue;
                    const std::string rid(r.request_id,
                                          ::strnlen(r.request_id, sizeof r.request_id));
                    const std::string method(r.method, ::strnlen(r.method, sizeof r.method));
                    const std::string path(r.path, ::strnlen(r.path, sizeof r.path));
                    if (r.started_ns.load(std::memory_order_acquire) != started) continue;
                    log_request_timeout(pid, rid, method, path, ms);
                    to_replace.push_back(
                        {pid,
                         {RestartCause::request_timeout,
                          "request " + rid + " running for " + std::to_string(ms) + " ms"}});
                    break;
                }
                if (!to_replace.empty() && to_replace.back().first == pid) continue;
            }
            if (cfg.max_rss_mb > 0 && e.rss_kb.load() > cfg.max_rss_mb * 1024LL) {
                to_replace.push_back({pid,
                                      {RestartCause::max_rss,
                                       "resident memory " + std::to_string(e.rss_kb.load() / 1024) +
                                           " MiB > max_rss_mb " + std::to_string(cfg.max_rss_mb)}});
                continue;
            }
            const int cause = e.retire_cause.load();
            if (cause >= 0 && cause < static_cast<int>(kRestartCauseCount)) {
                to_replace.push_back(
                    {pid,
                     {static_cast<RestartCause>(cause),
                      cause == static_cast<int>(RestartCause::max_requests)
                          ? "served " + std::to_string(e.requests.load()) + " requests"
                          : "a request ran past request_timeout"}});
            }
        }
        for (const auto& [pid, why] : to_replace) replace(pid, why.first, why.second);
        for (pid_t pid : to_kill) {
            log_event("worker " + std::to_string(pid) + " did not finish draining; killing it");
            ::kill(pid, SIGKILL);
        }
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
        pollfd pfds[2] = {{signal_fd_, POLLIN, 0}, {notify_fd_, POLLIN, 0}};
        if (::poll(pfds, 2, timeout_ms) <= 0) return;
        if (pfds[1].revents & POLLIN) {
            // A worker asks to be replaced: look at the workers now.
            std::uint64_t n = 0;
            (void)!::read(notify_fd_, &n, sizeof n);
            watch_workers();
        }
        signalfd_siginfo info{};
        while (::read(signal_fd_, &info, sizeof info) == sizeof info) {
            switch (info.ssi_signo) {
                case SIGCHLD:
                    reap();
                    break;
                case SIGHUP:
                    reload();
                    break;
                case SIGUSR1:
                    reopen_logs();
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
            retire_worker_entry(stats_, *info.entry);
            if (info.replaced || info.generation != generation_ || stopping_) {
                continue;  // drained on purpose
            }
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
            ++stats_.restarts[static_cast<unsigned>(RestartCause::crash)];
            if (slot.quick_deaths > 1) {
                log_event("worker " + std::to_string(pid) + " died (" + how + ") " +
                          std::to_string(slot.quick_deaths) +
                          " times in a row within 5 s of starting: crash loop, backing off; "
                          "respawning in " +
                          std::to_string(delay.count()) + " ms");
            } else {
                log_event("worker " + std::to_string(pid) + " died (" + how + "); respawning in " +
                          std::to_string(delay.count()) + " ms");
            }
            schedule_respawn(info.slot, delay);
        }
        update_crash_loop_gauge();
    }

    void update_crash_loop_gauge() {
        int looping = 0;
        for (const auto& s : slots_) looping += s.quick_deaths > 1 ? 1 : 0;
        stats_.crash_looping_slots = looping;
    }

    void reopen_logs() {
        if (!app_->config.log_file.empty()) {
            if (!reopen_log_file(app_->config.log_file)) {
                // Still writing to the old file (or stderr); say so there.
                log_event("SIGUSR1: cannot reopen " + app_->config.log_file);
            }
        }
        for (const auto& [pid, info] : workers_) ::kill(pid, SIGUSR1);
        log_event("SIGUSR1: log files reopened");
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
        const bool new_log_file = fresh->config.log_file != app_->config.log_file;
        app_ = std::move(fresh);
        if (new_log_file && !app_->config.log_file.empty() &&
            !reopen_log_file(app_->config.log_file)) {
            log_event("reload: cannot open log file " + app_->config.log_file);
        }
        publish_config();
        ++generation_;
        std::vector<pid_t> old;
        for (auto& [pid, info] : workers_) {
            if (info.replaced) continue;
            old.push_back(pid);
            info.replaced = true;
            info.kill_at = Clock::now() + std::chrono::seconds(app_->config.drain_timeout + 2);
            info.entry->state = static_cast<int>(WorkerStage::draining);
        }
        stats_.restarts[static_cast<unsigned>(RestartCause::reload)] += old.size();
        slots_.assign(static_cast<std::size_t>(app_->config.workers), Slot{});
        update_crash_loop_gauge();
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
    int notify_fd_;
    bool test_routes_available_;
    PoolStats& stats_;
    std::mt19937 random_{std::random_device{}()};
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
    for (int s : {SIGCHLD, SIGHUP, SIGTERM, SIGINT, SIGUSR1}) sigaddset(&signals, s);
    sigprocmask(SIG_BLOCK, &signals, nullptr);
    ::signal(SIGPIPE, SIG_IGN);
    const int signal_fd = ::signalfd(-1, &signals, SFD_NONBLOCK | SFD_CLOEXEC);
    if (signal_fd < 0) {
        log_event("cannot create signalfd");
        return 1;
    }
    if (!app->config.log_file.empty() && !reopen_log_file(app->config.log_file)) {
        log_event("cannot open log file " + app->config.log_file);
        ::close(signal_fd);
        return 1;
    }
    // Workers write to it to be looked at before the next tick.
    const int notify_fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (notify_fd < 0) {
        log_event("cannot create eventfd");
        ::close(signal_fd);
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
                          std::move(authorizer_socket), signal_fd, notify_fd,
                          test_routes_available);
    const int rc = supervisor.run();
    ::close(notify_fd);
    ::close(signal_fd);
    return rc;
}

}  // namespace mfo
