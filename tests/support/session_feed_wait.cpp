#include "session_feed_wait.hpp"

#include <nlohmann/json.hpp>
#include <thread>

#include "http_client.hpp"

namespace mfo::test {

namespace {

// Whether every running worker read the feed after `since`, judged from a
// /status asked at `asked` (its ages are measured a little later, so this
// errs on the late side).
bool all_read_since(const nlohmann::json& status, std::chrono::steady_clock::time_point asked,
                    std::chrono::steady_clock::time_point since) {
    for (const auto& w : status.at("workers")) {
        if (w.at("state") != "running") continue;
        const auto& cache = w.at("session_cache");
        if (cache.is_null()) continue;  // off: every request reads the database
        const long long age = cache.at("feed_read_age_ms").get<long long>();
        if (age < 0) return false;
        if (asked - std::chrono::milliseconds(age + 1) < since) return false;
    }
    return true;
}

}  // namespace

bool wait_for_session_feed(const std::string& base_url, std::chrono::steady_clock::time_point since,
                           std::chrono::milliseconds bound) {
    HttpClient client(base_url);
    const auto deadline = std::chrono::steady_clock::now() + bound;
    for (;;) {
        const auto asked = std::chrono::steady_clock::now();
        const HttpResponse r = client.get("/status");
        if (r.status == 200 && all_read_since(nlohmann::json::parse(r.body), asked, since)) {
            return true;
        }
        if (asked >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));  // /status poll pace
    }
}

bool wait_for_session_feed(const std::string& base_url) {
    return wait_for_session_feed(base_url, std::chrono::steady_clock::now());
}

}  // namespace mfo::test
