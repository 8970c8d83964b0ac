#pragma once
// Where a poller of the revocation feed stands, and which rows it has not
// applied yet. Ids are not committed in order: a transaction that took id 7
// may commit after one that took id 8, and on Galera each node hands out
// its own interleaved ids, so some ids never appear at all. The cursor
// re-reads everything above `floor()` and remembers what it has applied;
// a missing id below a row it has seen is waited for `gap_grace`, then
// given up (the row's transaction rolled back or the id belongs to
// another node's sequence). Pure logic, no database.

#include <chrono>
#include <cstdint>
#include <map>
#include <vector>

namespace mfo {

class RevocationCursor {
  public:
    using Clock = std::chrono::steady_clock;

    RevocationCursor(std::uint64_t start_after, std::chrono::milliseconds gap_grace)
        : floor_(start_after), gap_grace_(gap_grace) {}

    // Read the feed from here: every id <= floor() is applied or given up.
    std::uint64_t floor() const { return floor_; }

    // `ids`: what a read of "id > floor()" returned, ascending. Returns the
    // ids not applied before (apply those), then advances the floor.
    std::vector<std::uint64_t> take(const std::vector<std::uint64_t>& ids, Clock::time_point now);

    // Forget everything up to `id` (after the cache was cleared).
    void skip_to(std::uint64_t id);

    // Ids above the floor already applied (bounded by the rows of the last
    // gap_grace): for tests and the status page.
    std::size_t pending() const { return seen_.size(); }

  private:
    void advance(Clock::time_point now);

    std::uint64_t floor_;
    std::chrono::milliseconds gap_grace_;
    std::map<std::uint64_t, Clock::time_point> seen_;  // id -> when first read
};

}  // namespace mfo
