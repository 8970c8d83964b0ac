#pragma once
// Per-account login throttling: after N failures in a window, the account is
// locked for a cooling-off period. Keyed by the normalised email whether or not
// an account exists, so a lock tells nothing about which accounts exist.

#include <string>

#include "database.hpp"

namespace mfo {

struct ThrottlePolicy {
    int max_failures = 5;
    int window_seconds = 900;
    int lockout_seconds = 900;
};

class LoginThrottle {
public:
    explicit LoginThrottle(ThrottlePolicy policy) : policy_(policy) {}

    // Seconds until the account may try again; 0 when it may try now.
    long locked_for(Database& db, const std::string& email) const;
    // Counts a failure; returns true when this failure started a lockout.
    bool record_failure(Database& db, const std::string& email) const;
    void record_success(Database& db, const std::string& email) const;

private:
    ThrottlePolicy policy_;
};

}  // namespace mfo
