#pragma once
// An IPv4 or IPv6 network ("10.0.0.0/8", "127.0.0.1", "::1", "fd00::/8") and
// whether an address (REMOTE_ADDR) is in it. IPv4-mapped IPv6 addresses
// (::ffff:10.1.2.3) count as their IPv4 address.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mfo {

class IpNetwork {
  public:
    // nullopt for anything but an address with an optional /prefix whose
    // host bits are zero.
    static std::optional<IpNetwork> parse(std::string_view text);

    bool contains(std::string_view address) const;
    std::string text() const { return text_; }

  private:
    std::array<std::uint8_t, 16> bytes_{};  // IPv4 as IPv4-mapped IPv6
    int prefix_ = 0;                        // in bits of the 128
    std::string text_;
};

}  // namespace mfo
