#pragma once
// Flask-Security-Too's stored password hashes, so that users imported from
// the Flask app (`mfo-db import-flask-security`) keep their passwords. Its
// recipe (../shared/reference/flask-security-too-data.md, section 3):
// NFKD(password), then base64(HMAC-SHA512(SECURITY_PASSWORD_SALT, it)) (88
// characters), then passlib's bcrypt or argon2 of that.

#include <optional>
#include <string>
#include <string_view>

namespace mfo {

enum class HashScheme {
    argon2id,  // $argon2id$v=19$... (mfo's own, and Flask's "argon2")
    bcrypt,    // $2a$ / $2b$ / $2y$ (Flask-Security-Too's default)
    unknown,   // anything else: never verifies
};

HashScheme identify_hash(std::string_view stored);
// "argon2id", "bcrypt", "unknown" (for reports).
const char* scheme_name(HashScheme scheme);

// The costliest bcrypt hash we verify (2^14 rounds, 4x Flask's default 12):
// a hostile or corrupt row must not cost unbounded time.
constexpr unsigned kMaxBcryptCost = 14;

// The cost of a well-formed bcrypt hash (`$2?$NN$` and 53 characters of the
// bcrypt alphabet), nullopt otherwise.
std::optional<unsigned> bcrypt_cost(std::string_view stored);

// base64(HMAC-SHA512(salt, password)): Flask's input to bcrypt and argon2.
// `password` must already be normalised (normalize_password).
std::string flask_prehash(std::string_view salt, std::string_view password);

// libxcrypt's bcrypt of the first 72 bytes of `input` (all that bcrypt
// reads; the 88-character pre-hash is cut there, as Flask's bcrypt did),
// compared with `stored` in constant time. False for a malformed hash or
// one costlier than kMaxBcryptCost.
bool bcrypt_verify(std::string_view input, const std::string& stored);

}  // namespace mfo
