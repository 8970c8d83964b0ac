#include "os_user.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <vector>

namespace mfo {

std::string current_os_user() {
    const uid_t uid = geteuid();
    std::string name = "uid " + std::to_string(uid);
    struct passwd entry {};
    struct passwd* found = nullptr;
    std::vector<char> buffer(16384);
    if (getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found) == 0 && found != nullptr) {
        name = found->pw_name;
    }
    // Under sudo the effective user is root for every DBA: keep who it was.
    const char* sudo_user = std::getenv("SUDO_USER");
    if (sudo_user != nullptr && *sudo_user != '\0' && name != sudo_user) {
        name += std::string(" (sudo from ") + sudo_user + ")";
    }
    return name;
}

}  // namespace mfo
