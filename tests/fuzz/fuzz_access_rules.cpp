// conf/access.conf, as an operator (or a botched edit) may write it.

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "access_rules.hpp"
#include "config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::set<std::string> roles = {"Admin", "User"};
    static const std::set<std::string> permissions = {"read", "write", "database"};
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        const auto rules = mfo::AccessRules::parse(text, "access.conf", roles, permissions);
        mfo::Principal admin;
        for (const auto& rule : rules.rules()) {
            if (rule.path.empty() || rule.path.front() != '/') __builtin_trap();
            (void)mfo::describe_rule(rule);
            (void)mfo::forbidden_message(&rule);
            (void)mfo::check_access(&rule, admin);
            (void)rules.find(rule.path, "GET");
            (void)rules.find(rule.path + "/x", "POST");
        }
        (void)rules.find("/", "GET");
    } catch (const mfo::ConfigError&) {
        // A clear "access.conf:LINE: message" is the expected outcome.
    }
    return 0;
}
