#include "app_data_fixture.hpp"

#include <stdexcept>

namespace mfo::test {

AppData::AppData() : app(test_config().database, DbAccount::app) {}

AppData::~AppData() {
    try {
        for (const auto& email : emails) delete_user(app, email);
        for (const auto& role : roles) delete_role(app, role);
    } catch (const std::exception&) {
        // A test that broke the connection leaves a few rows behind.
    }
}

std::string AppData::email_for(const std::string& tag) {
    emails.push_back(unique_email(tag));
    return emails.back();
}

std::string AppData::role_name_for(const std::string& tag) {
    roles.push_back("T_" + tag + "_" + unique_suffix());
    return roles.back();
}

std::uint64_t AppData::make_user(const std::string& tag, bool active) {
    return create_user(app, email_for(tag), "$argon2id$placeholder", active);
}

std::string AppData::make_role(const std::string& tag,
                               const std::vector<std::string>& permissions) {
    const std::string name = role_name_for(tag);
    create_role(app, name, "test role " + tag, permissions);
    return name;
}

UserRecord AppData::user(const std::string& email) {
    auto found = find_user_by_email(app, email);
    if (!found) throw std::runtime_error("test user " + email + " not found");
    return *found;
}

}  // namespace mfo::test
