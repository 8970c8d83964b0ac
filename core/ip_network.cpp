#include "ip_network.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace mfo {

namespace {

// Any address as 16 bytes (IPv4 as ::ffff:a.b.c.d); `v4` says which it was.
bool parse_address(std::string_view text, std::array<std::uint8_t, 16>& out, bool& v4) {
    if (text.empty() || text.size() > 45) return false;
    const std::string s(text);
    in_addr a4{};
    if (::inet_pton(AF_INET, s.c_str(), &a4) == 1) {
        out.fill(0);
        out[10] = out[11] = 0xff;
        std::memcpy(out.data() + 12, &a4, 4);
        v4 = true;
        return true;
    }
    in6_addr a6{};
    if (::inet_pton(AF_INET6, s.c_str(), &a6) == 1) {
        std::memcpy(out.data(), &a6, 16);
        static constexpr std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        v4 = std::memcmp(out.data(), kMapped, 12) == 0;
        return true;
    }
    return false;
}

bool prefix_equal(const std::array<std::uint8_t, 16>& a, const std::array<std::uint8_t, 16>& b,
                  int bits) {
    int i = 0;
    for (; bits >= 8; bits -= 8, ++i) {
        if (a[i] != b[i]) return false;
    }
    if (bits == 0) return true;
    const auto mask = static_cast<std::uint8_t>(0xff << (8 - bits));
    return (a[i] & mask) == (b[i] & mask);
}

}  // namespace

std::optional<IpNetwork> IpNetwork::parse(std::string_view text) {
    IpNetwork net;
    const auto slash = text.find('/');
    bool v4 = false;
    if (!parse_address(text.substr(0, slash), net.bytes_, v4)) return std::nullopt;
    const int max_bits = v4 ? 32 : 128;
    int bits = max_bits;
    if (slash != std::string_view::npos) {
        const std::string_view p = text.substr(slash + 1);
        const auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), bits);
        if (p.empty() || ec != std::errc() || end != p.data() + p.size() || bits < 0 ||
            bits > max_bits)
            return std::nullopt;
    }
    net.prefix_ = bits + (v4 ? 96 : 0);
    // Host bits must be zero: "10.1.0.0/8" is most likely a typo.
    std::array<std::uint8_t, 16> masked = net.bytes_;
    for (int bit = net.prefix_; bit < 128; ++bit) {
        masked[bit / 8] &= static_cast<std::uint8_t>(~(0x80 >> (bit % 8)));
    }
    if (masked != net.bytes_) return std::nullopt;
    net.text_ = std::string(text);
    return net;
}

bool IpNetwork::contains(std::string_view address) const {
    std::array<std::uint8_t, 16> a{};
    bool v4 = false;
    if (!parse_address(address, a, v4)) return false;
    return prefix_equal(a, bytes_, prefix_);
}

}  // namespace mfo
