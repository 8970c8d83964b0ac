#pragma once
// How the tools find the user an EMAIL argument names.

#include <string>

#include "database.hpp"
#include "user_store.hpp"

namespace mfo::cli {

// The user with that email (as typed, or normalised: the domain's case and
// surrounding spaces do not matter); NotFound("User not found.") otherwise.
UserRecord require_user(Database& db, const std::string& email);

}  // namespace mfo::cli
