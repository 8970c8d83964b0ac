#pragma once
// The one password policy of the CLI and /register.

#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>

namespace mfo {

class PasswordPolicy {
  public:
    static constexpr std::size_t kMinLength = 8;
    static constexpr std::size_t kMaxLength = 128;

    // Loads the common-password list (one per line, '#' comments). A missing
    // file leaves the list empty; the caller decides whether that is fatal.
    explicit PasswordPolicy(const std::string& common_passwords_file);
    PasswordPolicy() = default;

    // The reason the password is refused, or nothing when it is acceptable.
    std::optional<std::string> check(std::string_view password) const;
    std::size_t common_count() const { return common_.size(); }

  private:
    std::unordered_set<std::string> common_;
};

}  // namespace mfo
