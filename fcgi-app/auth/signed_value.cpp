#include "auth/signed_value.hpp"

#include "crypto.hpp"

namespace mfo {

std::string Signer::mac(std::string_view purpose, std::string_view data) const {
    std::string input(purpose);
    input.push_back('\0');
    input.append(data);
    return crypto::base64url(key_.sign(input));
}

std::string Signer::sign(std::string_view purpose, std::string_view payload) const {
    const std::string encoded = crypto::base64url(payload);
    return encoded + "." + mac(purpose, encoded);
}

std::optional<std::string> Signer::verify(std::string_view purpose,
                                          std::string_view signed_text) const {
    const std::size_t dot = signed_text.find('.');
    if (dot == std::string_view::npos || signed_text.size() > 4096) return std::nullopt;
    const std::string_view encoded = signed_text.substr(0, dot);
    if (!crypto::constant_time_equal(mac(purpose, encoded), signed_text.substr(dot + 1)))
        return std::nullopt;
    std::string payload;
    if (!crypto::base64url_decode(encoded, payload)) return std::nullopt;
    return payload;
}

}  // namespace mfo
