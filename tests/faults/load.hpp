#pragma once
// Load for the fault suite: client threads that repeat one request until
// stopped, recording when each started, how long it took and its status, and
// the figures the suite asserts (percentiles, failures, the longest gap).

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "http_client.hpp"

namespace mfo::test::faults {

using Clock = std::chrono::steady_clock;

struct Sample {
    Clock::time_point start;
    double latency_ms = 0;
    long status = 0;  // 0: no HTTP answer (timeout, connection refused)
    std::string error;
};

// `clients` threads; thread i calls `request(i, client_i)` in a loop, where
// client_i = make_client(i) (made on that thread). Stopped and joined by
// stop() or the destructor.
class Load {
  public:
    using MakeClient = std::function<HttpClient(int index)>;
    using Request = std::function<HttpResponse(int index, HttpClient& client)>;

    Load(int clients, MakeClient make_client, Request request);
    ~Load();
    Load(const Load&) = delete;
    Load& operator=(const Load&) = delete;

    // Stops the clients (each finishes its request in flight) and returns
    // every sample, in no particular order.
    std::vector<Sample> stop();
    std::size_t completed() const { return completed_.load(); }
    // A request that started at or after `t` has answered 2xx or 3xx.
    bool succeeded_since(Clock::time_point t) const {
        return last_ok_start_.load() >= t.time_since_epoch().count();
    }

  private:
    std::atomic<bool> stopping_{false};
    std::atomic<std::size_t> completed_{0};
    std::atomic<Clock::rep> last_ok_start_{0};
    std::mutex mutex_;
    std::vector<Sample> samples_;
    std::vector<std::thread> threads_;
};

struct Figures {
    std::size_t count = 0;
    std::size_t failed = 0;  // neither 2xx nor 3xx
    double p50_ms = 0;
    double p99_ms = 0;
    double max_ms = 0;
    double per_second = 0;
};

// Figures of the samples that `keep` selects (all by default) over `seconds`.
Figures figures_of(const std::vector<Sample>& samples, double seconds,
                   const std::function<bool(const Sample&)>& keep = {});
std::string describe(const Figures& f);
// "200 x12, 503 x3, none x1".
std::string status_counts(const std::vector<Sample>& samples);

double ms_between(Clock::time_point a, Clock::time_point b);

}  // namespace mfo::test::faults
