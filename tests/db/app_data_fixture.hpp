#pragma once
// A test's own users and roles in the shared application database, named
// with a random suffix and removed afterwards.

#include <string>
#include <vector>

#include "db_test_support.hpp"
#include "user_store.hpp"

namespace mfo::test {

struct AppData {
    AppData();
    ~AppData();

    // A user made directly in the database (password hash is a placeholder).
    std::uint64_t make_user(const std::string& tag, bool active = true);
    std::string make_role(const std::string& tag, const std::vector<std::string>& permissions = {});
    // Names a user or role made by a tool, to be removed afterwards.
    std::string email_for(const std::string& tag);
    std::string role_name_for(const std::string& tag);
    UserRecord user(const std::string& email);

    Database app;
    std::vector<std::string> emails;
    std::vector<std::string> roles;
};

}  // namespace mfo::test
