#include "db_host_health.hpp"

#include <iostream>

#include "db_endpoints.hpp"

namespace mfo {

namespace {

std::string list_label(const std::vector<DbEndpoint>& endpoints) {
    std::string out;
    for (const auto& e : endpoints) out += endpoint_label(e) + ",";
    return out;
}

}  // namespace

DbHostHealth::DbHostHealth(std::chrono::milliseconds down_for)
    : down_for_(down_for), log_([](const std::string& line) { std::cerr << line << std::endl; }) {}

DbHostHealth& DbHostHealth::process() {
    static DbHostHealth instance;
    return instance;
}

void DbHostHealth::set_logger(Logger log) {
    const std::lock_guard<std::mutex> lock(mutex_);
    log_ = std::move(log);
}

std::vector<std::size_t> DbHostHealth::order(const std::vector<DbEndpoint>& endpoints,
                                             Clock::time_point now) const {
    std::vector<std::size_t> up;
    std::vector<std::size_t> down;
    const std::lock_guard<std::mutex> lock(mutex_);
    for (std::size_t i = 0; i < endpoints.size(); ++i) {
        const auto it = down_until_.find(endpoint_label(endpoints[i]));
        (it != down_until_.end() && it->second > now ? down : up).push_back(i);
    }
    // Still tried, last: when every server failed lately, one may be back.
    up.insert(up.end(), down.begin(), down.end());
    return up;
}

void DbHostHealth::mark_down(const DbEndpoint& endpoint, const std::string& why,
                             Clock::time_point now) {
    const std::lock_guard<std::mutex> lock(mutex_);
    const std::string label = endpoint_label(endpoint);
    down_until_[label] = now + down_for_;
    why_[label] = why;
}

bool DbHostHealth::is_down(const DbEndpoint& endpoint, Clock::time_point now) const {
    const std::lock_guard<std::mutex> lock(mutex_);
    const auto it = down_until_.find(endpoint_label(endpoint));
    return it != down_until_.end() && it->second > now;
}

void DbHostHealth::report_choice(const std::vector<DbEndpoint>& endpoints, std::size_t index) {
    if (endpoints.size() < 2 || index >= endpoints.size()) return;
    std::string line;
    Logger log;
    {
        const std::lock_guard<std::mutex> lock(mutex_);
        const std::string chosen = endpoint_label(endpoints[index]);
        std::string& last = chosen_[list_label(endpoints)];
        if (last == chosen) return;
        line = "database: using " + chosen;
        if (index > 0) {
            line += " (";
            for (std::size_t i = 0; i < index; ++i) {
                const std::string label = endpoint_label(endpoints[i]);
                const auto why = why_.find(label);
                if (i > 0) line += "; ";
                line += label + ": " + (why == why_.end() ? "skipped" : why->second);
            }
            line += ")";
        } else if (!last.empty()) {
            line += " again (the first choice)";
        }
        last = chosen;
        log = log_;
    }
    if (log) log(line);
}

}  // namespace mfo
