#pragma once
// `mfo-db check [--fix]`: the invariants that the schema cannot enforce by
// itself, because they are copies kept for speed (README "At festival
// scale"): each user's copy of its roles (migration 0002) and the console's
// counters (migration 0004). Both are kept by the code or triggers, but SQL
// by hand, TRUNCATE or a bulk load with triggers off can leave them wrong.

#include <cstdint>
#include <string>
#include <vector>

#include "database.hpp"

namespace mfo {

struct InvariantFinding {
    std::string invariant;    // "role_cache", "user_counts", "role_member_counts"
    std::uint64_t count = 0;  // rows that disagree
    std::string what;         // "user(s) whose copy of their roles disagrees with user_roles"
    std::vector<std::string> examples;  // up to kInvariantExamples: ids, emails, role names
};

constexpr int kInvariantExamples = 5;

// The broken invariants, each with how many rows and a few examples. Reads
// only.
std::vector<InvariantFinding> check_invariants(Database& db);

// Finds and fixes them in one transaction, with an audit_log row
// ("schema.fix", by `actor`) per fixed invariant. Returns what it found,
// i.e. what it changed.
std::vector<InvariantFinding> fix_invariants(Database& db, const std::string& actor);

}  // namespace mfo
