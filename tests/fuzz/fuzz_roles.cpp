// conf/roles.conf (libinih underneath, through our line reader).

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config.hpp"
#include "roles_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        const auto roles = mfo::parse_roles(text, "roles.conf");
        for (const auto& role : roles) {
            if (role.name.empty()) __builtin_trap();
        }
        (void)mfo::role_names(roles);
        (void)mfo::permission_names(roles);
    } catch (const mfo::ConfigError&) {
    }
    return 0;
}
