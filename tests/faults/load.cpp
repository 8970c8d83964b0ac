#include "load.hpp"

#include <algorithm>
#include <cstdio>
#include <map>

namespace mfo::test::faults {

double ms_between(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
}

Load::Load(int clients, MakeClient make_client, Request request) {
    for (int i = 0; i < clients; ++i) {
        threads_.emplace_back([this, i, make_client, request] {
            HttpClient client = make_client(i);
            std::vector<Sample> mine;
            while (!stopping_.load()) {
                Sample s;
                s.start = Clock::now();
                try {
                    s.status = request(i, client).status;
                } catch (const std::exception& e) {
                    s.error = e.what();
                }
                s.latency_ms = ms_between(s.start, Clock::now());
                if (s.status >= 200 && s.status < 400) {
                    const Clock::rep started = s.start.time_since_epoch().count();
                    Clock::rep seen = last_ok_start_.load();
                    while (seen < started && !last_ok_start_.compare_exchange_weak(seen, started)) {
                    }
                }
                mine.push_back(std::move(s));
                ++completed_;
            }
            std::lock_guard lock(mutex_);
            samples_.insert(samples_.end(), mine.begin(), mine.end());
        });
    }
}

Load::~Load() {
    stop();
}

std::vector<Sample> Load::stop() {
    stopping_ = true;
    for (auto& t : threads_) {
        if (t.joinable()) t.join();
    }
    std::lock_guard lock(mutex_);
    return samples_;
}

Figures figures_of(const std::vector<Sample>& samples, double seconds,
                   const std::function<bool(const Sample&)>& keep) {
    Figures f;
    std::vector<double> latencies;
    for (const Sample& s : samples) {
        if (keep && !keep(s)) continue;
        ++f.count;
        if (s.status < 200 || s.status >= 400) ++f.failed;
        latencies.push_back(s.latency_ms);
    }
    if (latencies.empty()) return f;
    std::sort(latencies.begin(), latencies.end());
    auto at = [&](double q) {
        const auto i =
            static_cast<std::size_t>(q * static_cast<double>(latencies.size() - 1) + 0.5);
        return latencies[std::min(i, latencies.size() - 1)];
    };
    f.p50_ms = at(0.50);
    f.p99_ms = at(0.99);
    f.max_ms = latencies.back();
    f.per_second = seconds > 0 ? static_cast<double>(f.count) / seconds : 0;
    return f;
}

std::string describe(const Figures& f) {
    char buf[200];
    std::snprintf(buf, sizeof buf,
                  "%zu requests (%.0f/s), %zu failed, p50 %.1f ms, p99 %.1f ms, max %.1f ms",
                  f.count, f.per_second, f.failed, f.p50_ms, f.p99_ms, f.max_ms);
    return buf;
}

std::string status_counts(const std::vector<Sample>& samples) {
    std::map<long, std::size_t> counts;
    for (const Sample& s : samples) ++counts[s.status];
    std::string out;
    for (const auto& [status, n] : counts) {
        if (!out.empty()) out += ", ";
        out +=
            (status == 0 ? std::string("none") : std::to_string(status)) + " x" + std::to_string(n);
    }
    return out;
}

}  // namespace mfo::test::faults
