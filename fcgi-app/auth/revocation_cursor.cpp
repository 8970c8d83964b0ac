#include "auth/revocation_cursor.hpp"

#include <algorithm>

namespace mfo {

std::vector<std::uint64_t> RevocationCursor::take(const std::vector<std::uint64_t>& ids,
                                                  Clock::time_point now) {
    std::vector<std::uint64_t> fresh;
    for (const std::uint64_t id : ids) {
        if (id <= floor_) continue;
        if (seen_.emplace(id, now).second) fresh.push_back(id);
    }
    advance(now);
    return fresh;
}

void RevocationCursor::advance(Clock::time_point now) {
    // A gap below id x has been visible since the first read of any id at
    // or above x: the earliest "seen" time from x upwards.
    std::vector<Clock::time_point> visible_since(seen_.size());
    Clock::time_point earliest = Clock::time_point::max();
    std::size_t i = seen_.size();
    for (auto it = seen_.rbegin(); it != seen_.rend(); ++it) {
        earliest = std::min(earliest, it->second);
        visible_since[--i] = earliest;
    }
    i = 0;
    auto it = seen_.begin();
    while (it != seen_.end()) {
        const bool contiguous = it->first == floor_ + 1;
        if (!contiguous && now - visible_since[i] < gap_grace_) break;
        floor_ = it->first;
        it = seen_.erase(it);
        ++i;
    }
}

void RevocationCursor::skip_to(std::uint64_t id) {
    floor_ = std::max(floor_, id);
    seen_.erase(seen_.begin(), seen_.upper_bound(floor_));
}

}  // namespace mfo
