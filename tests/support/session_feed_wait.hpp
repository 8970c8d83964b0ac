#pragma once
// With [security] session_cache on, a change to a session or a user reaches
// the workers through the revocation feed within about one poll interval,
// not necessarily by the very next request. A test that checks the effect
// of such a change first waits here until every running worker of the pool
// has read the feed since the change (GET /status, from 127.0.0.1): then
// the next request sees it on whichever worker it lands.

#include <chrono>
#include <string>

namespace mfo::test {

// True once every running worker's last good feed read began after `since`
// (or the pool has the cache off); false after `bound`.
bool wait_for_session_feed(const std::string& base_url, std::chrono::steady_clock::time_point since,
                           std::chrono::milliseconds bound = std::chrono::milliseconds(3000));
// The same with `since` = now: call it right after the change returned.
bool wait_for_session_feed(const std::string& base_url);

}  // namespace mfo::test
