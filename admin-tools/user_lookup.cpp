#include "user_lookup.hpp"

#include "email_address.hpp"

namespace mfo::cli {

UserRecord require_user(Database& db, const std::string& email) {
    auto user = find_user_by_email(db, normalize_email(email).value_or(email));
    if (!user) throw NotFound("User not found.");
    return *user;
}

}  // namespace mfo::cli
