#pragma once
// Per-account login throttling: at most N password checks per account in a
// window; the N-th locks the account for a cooling-off period. Keyed by the
// normalised email whether or not an account exists, so a lock tells nothing
// about which accounts exist.
//
// Reserve, then work: an attempt is counted (under a row lock) before the
// password is checked, so N parallel guesses cost at most N checks whatever
// their number, and a success clears only the attempts reserved before it.

#include <cstdint>
#include <string>

#include "database.hpp"

namespace mfo {

struct ThrottlePolicy {
    int max_failures = 5;
    int window_seconds = 900;
    int lockout_seconds = 900;
};

// An account's row as the reservation sees it (under its lock).
struct ThrottleState {
    long failures = 0;            // attempts counted in the current window
    bool lock_set = false;        // locked_until is not NULL
    long lock_remaining = 0;      // seconds until locked_until (<= 0: over)
    bool window_expired = false;  // window_start older than the window
    std::int64_t reserved = 0;    // number of the last reservation
};

// What a reservation decides, and the row it leaves.
struct ThrottleStep {
    bool allowed = false;
    long retry_after = 0;       // when refused: seconds, >= 1
    bool reset_window = false;  // window_start = now
    bool start_lock = false;    // locked_until = now + lockout
    bool clear_lock = false;    // locked_until = NULL
    long failures = 0;          // the row's new count
    std::int64_t reserved = 0;  // the row's (and this attempt's) number
};

ThrottleStep plan_reservation(const ThrottleState& row, const ThrottlePolicy& policy);

// One reserved (or refused) attempt.
struct ThrottleTicket {
    bool allowed = false;
    long retry_after = 0;        // seconds, when refused
    std::int64_t number = 0;     // this attempt's reservation number
    bool locks_account = false;  // it used the window's last attempt
};

class LoginThrottle {
public:
    explicit LoginThrottle(ThrottlePolicy policy) : policy_(policy) {}

    // Counts an attempt before any password work; refused (429) when the
    // account is locked or the window's attempts are used up.
    ThrottleTicket reserve(Database& db, const std::string& email) const;
    // The attempt succeeded: forgets the attempts reserved up to this one
    // (not those reserved after it) and lifts a lock they caused.
    void record_success(Database& db, const std::string& email, const ThrottleTicket& ticket) const;

    const ThrottlePolicy& policy() const { return policy_; }

  private:
    ThrottlePolicy policy_;
};

}  // namespace mfo
