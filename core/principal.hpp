#pragma once
// Who is making the request: resolved from the session on every request.

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace mfo {

struct Principal {
    std::uint64_t user_id = 0;  // 0: anonymous
    std::string email;
    std::vector<std::string> roles;        // sorted
    std::vector<std::string> permissions;  // sorted, union over the roles

    bool authenticated() const { return user_id != 0; }
    bool has_role(const std::string& r) const {
        return std::binary_search(roles.begin(), roles.end(), r);
    }
    bool has_permission(const std::string& p) const {
        return std::binary_search(permissions.begin(), permissions.end(), p);
    }
};

}  // namespace mfo
