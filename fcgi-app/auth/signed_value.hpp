#pragma once
// Values signed with the secret key (HMAC-SHA256): cookies the server must be
// able to trust without storing anything (pre-login CSRF, flash messages).

#include <optional>
#include <string>
#include <string_view>

#include "crypto.hpp"

namespace mfo {

class Signer {
  public:
    explicit Signer(std::string_view secret_key) : key_(secret_key) {}

    // "payload.signature" (both base64url); `purpose` separates uses of the key.
    std::string sign(std::string_view purpose, std::string_view payload) const;
    // The payload when the signature is right, else nullopt.
    std::optional<std::string> verify(std::string_view purpose, std::string_view signed_text) const;
    // A MAC of `data` for `purpose` (base64url), e.g. a token derived from a nonce.
    std::string mac(std::string_view purpose, std::string_view data) const;

  private:
    crypto::HmacSha256Key key_;  // prepared once: every request signs or verifies
};

}  // namespace mfo
