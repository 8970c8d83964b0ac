#include "pool/worker_process.hpp"

#include <fastcgi.h>
#include <fcgiapp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "database.hpp"
#include "db_circuit_breaker.hpp"
#include "db_host_health.hpp"
#include "http/request_log.hpp"
#include "http/request_params.hpp"
#include "ops/pool_stats.hpp"
#include "pipeline/request_pipeline.hpp"
#include "pool/session_feed_poller.hpp"
#include "request_timing.hpp"

namespace mfo {

namespace {

// An fd closed when its owner goes out of scope.
class FileDescriptor {
  public:
    explicit FileDescriptor(int fd) : fd_(fd) {}
    ~FileDescriptor() {
        if (fd_ >= 0) ::close(fd_);
    }
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    int get() const { return fd_; }

  private:
    int fd_;
};

// A libfcgi request bound to the listening socket, freed on scope exit.
class FcgiRequest {
  public:
    explicit FcgiRequest(int listen_fd) { FCGX_InitRequest(&request_, listen_fd, 0); }
    ~FcgiRequest() { FCGX_Free(&request_, 1); }
    FcgiRequest(const FcgiRequest&) = delete;
    FcgiRequest& operator=(const FcgiRequest&) = delete;
    FCGX_Request* get() { return &request_; }

  private:
    FCGX_Request request_{};
};

struct WorkerState {
    std::shared_ptr<const AppContext> app;
    // Shared by the threads' connections: one outage, one breaker, one log.
    std::unique_ptr<DbCircuitBreaker> db_breaker;
    int listen_fd = -1;
    int authorizer_fd = -1;  // a second listening socket, or -1
    int wake_fd = -1;        // eventfd: readable once stopping
    int notify_fd = -1;      // the supervisor's eventfd
    WorkerEntry* entry = nullptr;
    std::mutex mutex;
    std::condition_variable all_done;
    int running_threads = 0;
    // [security] session_cache: this process's, read by its threads and
    // kept in step by the feed poller.
    std::unique_ptr<SessionCache> session_cache;
};

// Load balancers poll these every few seconds: they never reach the log
// (a failing /readyz shows as the database errors it meets).
bool is_health_check(const std::string& path) {
    return path == "/healthz" || path == "/readyz";
}

void ask_to_be_replaced(WorkerState& state, RestartCause cause) {
    int none = -1;
    if (state.entry->retire_cause.compare_exchange_strong(none, static_cast<int>(cause))) {
        const std::uint64_t one = 1;
        (void)!::write(state.notify_fd, &one, sizeof one);
    }
}

void serve_one(FCGX_Request* fcgi, RequestPipeline& pipeline, WorkerState& state,
               int thread_index) {
    const auto started = std::chrono::steady_clock::now();
    const std::string request_id = next_request_id();
    const RequestParams params = read_request_params(fcgi->envp);
    WorkerEntry& entry = *state.entry;
    begin_inflight(entry, thread_index, request_id, params.get(RequestParams::request_method),
                   params.get(RequestParams::request_uri));
    request_timings() = RequestTimings{};
    const BodyReader body = [fcgi](char* buf, std::size_t n) -> std::size_t {
        const int got = FCGX_GetStr(buf, static_cast<int>(n), fcgi->in);
        return got > 0 ? static_cast<std::size_t>(got) : 0;
    };
    const FcgiRole role = fcgi->role == FCGI_AUTHORIZER ? FcgiRole::authorizer
                          : fcgi->role == FCGI_FILTER   ? FcgiRole::filter
                                                        : FcgiRole::responder;
    PipelineResult result = pipeline.run(params, body, request_id, role);
    FCGX_PutStr(result.output.data(), static_cast<int>(result.output.size()), fcgi->out);
    end_inflight(entry, thread_index);
    const auto elapsed = std::chrono::steady_clock::now() - started;
    const long long elapsed_us =
        std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count();

    const std::uint64_t served = ++entry.requests;
    if (result.status >= 100 && result.status < 600) ++entry.by_status[result.status / 100 - 1];
    const Config& cfg = state.app->config;
    RequestLogEntry line{
        request_id,    std::move(result.method), std::move(result.path), result.status, elapsed_us,
        result.user_id};
    if (cfg.slow_request_ms > 0 && elapsed_us >= cfg.slow_request_ms * 1000LL) {
        ++entry.slow_requests;
        log_slow_request(line, request_timings());
    } else if (!is_health_check(line.path)) {
        log_request(line);
    }
    if (cfg.request_timeout > 0 && elapsed_us >= cfg.request_timeout * 1'000'000LL) {
        ++entry.timed_out_requests;
        log_error(request_id, "request ran past request_timeout (" +
                                  std::to_string(elapsed_us / 1000) +
                                  " ms): asking for this worker to be replaced");
        ask_to_be_replaced(state, RestartCause::request_timeout);
    }
    const std::uint64_t limit = entry.request_limit.load(std::memory_order_relaxed);
    if (limit > 0 && served >= limit) ask_to_be_replaced(state, RestartCause::max_requests);
}

void accept_loop(WorkerState& state, const Router& router, int thread_index) {
    DbThreadScope db_thread;
    Database db(state.app->config.database, DbAccount::app);
    db.use_circuit_breaker(*state.db_breaker);
    RequestPipeline pipeline(*state.app, db, router, state.session_cache.get());
    // A libfcgi request is bound to one listening socket: one per socket.
    FcgiRequest fcgi(state.listen_fd);
    std::optional<FcgiRequest> authorizer_fcgi;
    if (state.authorizer_fd >= 0) authorizer_fcgi.emplace(state.authorizer_fd);

    // One epoll set per thread; EPOLLEXCLUSIVE wakes one waiter per new
    // connection instead of every thread of every worker.
    FileDescriptor ep(::epoll_create1(EPOLL_CLOEXEC));
    auto watch = [&ep](int fd, std::uint32_t events) {
        epoll_event ev{};
        ev.events = events;
        ev.data.fd = fd;
        return ::epoll_ctl(ep.get(), EPOLL_CTL_ADD, fd, &ev) == 0;
    };
    if (ep.get() < 0 || !watch(state.listen_fd, EPOLLIN | EPOLLEXCLUSIVE) ||
        (state.authorizer_fd >= 0 && !watch(state.authorizer_fd, EPOLLIN | EPOLLEXCLUSIVE)) ||
        !watch(state.wake_fd, EPOLLIN)) {
        log_event("worker thread cannot set up epoll; exiting");
        return;
    }
    for (;;) {
        epoll_event ev[3];
        const int n = ::epoll_wait(ep.get(), ev, 3, -1);
        if (n < 0 && errno == EINTR) continue;
        bool stopping = false;
        for (int i = 0; i < n; ++i) stopping = stopping || ev[i].data.fd == state.wake_fd;
        if (stopping || n < 0) break;
        for (int i = 0; i < n; ++i) {
            FCGX_Request* request = ev[i].data.fd == state.authorizer_fd && authorizer_fcgi
                                        ? authorizer_fcgi->get()
                                        : fcgi.get();
            if (const int rc = FCGX_Accept_r(request); rc < 0) {
                // -EAGAIN: another thread won the race. Anything else (EMFILE,
                // ...) leaves the socket readable: back off instead of spinning.
                if (rc != -EAGAIN && rc != -EWOULDBLOCK && rc != -EINTR) {
                    log_event("accept failed: " + std::string(std::strerror(-rc)));
                    std::this_thread::sleep_for(std::chrono::milliseconds(50));
                }
                continue;
            }
            ++state.entry->busy_threads;
            serve_one(request, pipeline, state, thread_index);
            FCGX_Finish_r(request);
            --state.entry->busy_threads;
        }
    }
}

}  // namespace

void run_worker_process(std::shared_ptr<const AppContext> app, int listen_fd, int authorizer_fd,
                        int notify_fd) {
    // Die with the supervisor rather than linger as an orphan.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGHUP);
    sigaddset(&signals, SIGUSR1);
    // Blocked in every thread (inherited), taken only by sigwait below:
    // libfcgi's own SIGTERM handler never runs.
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    ::signal(SIGPIPE, SIG_IGN);

    FCGX_Init();
    init_database_driver();
    const Router router = build_router(app->test_routes);

    WorkerState state;
    state.app = std::move(app);
    state.listen_fd = listen_fd;
    const DatabaseConfig& db_config = state.app->config.database;
    state.db_breaker = std::make_unique<DbCircuitBreaker>(
        db_config.breaker_failures, std::chrono::seconds(db_config.breaker_retry),
        [](const std::string& line) { log_event(line); });
    // A move to another of [database] hosts: one line per worker and change.
    DbHostHealth::process().set_logger([](const std::string& line) { log_event(line); });
    state.authorizer_fd = authorizer_fd;
    state.notify_fd = notify_fd;
    // Without the supervisor's statistics (never the case in mfo-fcgi), keep
    // an entry of our own so the figures have somewhere to go.
    static WorkerEntry private_entry;
    state.entry = own_worker_entry() ? own_worker_entry() : &private_entry;
    FileDescriptor wake(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    state.wake_fd = wake.get();
    std::unique_ptr<SessionFeedPoller> feed_poller;
    state.entry->cache_serving = state.app->config.session_cache ? 0 : -1;
    if (const Config& cfg = state.app->config; cfg.session_cache) {
        state.session_cache = std::make_unique<SessionCache>(SessionCacheLimits{
            static_cast<std::size_t>(cfg.session_cache_entries),
            static_cast<std::size_t>(cfg.session_cache_memory_mb) << 20,
            std::chrono::seconds(cfg.session_cache_max_age),
            std::chrono::milliseconds(cfg.session_cache_fail_closed_ms), cfg.session_idle_timeout});
        feed_poller = std::make_unique<SessionFeedPoller>(cfg, *state.session_cache);
    }

    const int thread_count = state.app->config.threads;
    std::vector<std::thread> threads;
    state.running_threads = thread_count;
    for (int i = 0; i < thread_count; ++i) {
        threads.emplace_back([&state, &router, i] {
            try {
                accept_loop(state, router, i);
            } catch (const std::exception& e) {
                log_event(std::string("worker thread stopped: ") + e.what());
            }
            std::lock_guard lock(state.mutex);
            --state.running_threads;
            state.all_done.notify_all();
        });
    }
    int starting = static_cast<int>(WorkerStage::starting);
    state.entry->state.compare_exchange_strong(starting, static_cast<int>(WorkerStage::running));
    log_event("worker started with " + std::to_string(thread_count) + " threads");

    int sig = 0;
    while (sigwait(&signals, &sig) != 0 || sig == SIGHUP || sig == SIGUSR1) {
        // SIGHUP is the supervisor's business; a worker ignores it. SIGUSR1
        // (forwarded by the supervisor): logrotate moved the log file.
        if (sig == SIGUSR1 && !state.app->config.log_file.empty()) {
            log_event(reopen_log_file(state.app->config.log_file)
                          ? "log file reopened by worker"
                          : "SIGUSR1: cannot reopen " + state.app->config.log_file);
        }
        sig = 0;
    }
    state.entry->state = static_cast<int>(WorkerStage::draining);
    const std::uint64_t one = 1;
    (void)!::write(state.wake_fd, &one, sizeof one);

    std::unique_lock lock(state.mutex);
    const bool drained =
        state.all_done.wait_for(lock, std::chrono::seconds(state.app->config.drain_timeout),
                                [&] { return state.running_threads == 0; });
    lock.unlock();
    if (!drained) {
        log_event("drain timeout: exiting with requests still in flight");
        ::_exit(1);
    }
    for (auto& t : threads) t.join();
    feed_poller.reset();
    log_event("worker drained and stopped");
    // Skip static destructors of libraries whose threads are gone.
    ::_exit(0);
}

}  // namespace mfo
