#include "flask_password.hpp"

#include <crypt.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "crypto.hpp"

namespace mfo {

namespace {

constexpr std::size_t kBcryptLength = 60;      // $2b$12$ + 22 salt + 31 hash
constexpr std::size_t kBcryptInputBytes = 72;  // bcrypt ignores the rest

bool is_bcrypt_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '/';
}

}  // namespace

HashScheme identify_hash(std::string_view stored) {
    if (stored.rfind("$argon2id$", 0) == 0) return HashScheme::argon2id;
    if (stored.size() > 4 && stored[0] == '$' && stored[1] == '2' && stored[3] == '$' &&
        (stored[2] == 'a' || stored[2] == 'b' || stored[2] == 'y')) {
        return HashScheme::bcrypt;
    }
    return HashScheme::unknown;
}

const char* scheme_name(HashScheme scheme) {
    switch (scheme) {
        case HashScheme::argon2id:
            return "argon2id";
        case HashScheme::bcrypt:
            return "bcrypt";
        case HashScheme::unknown:
            break;
    }
    return "unknown";
}

std::optional<unsigned> bcrypt_cost(std::string_view stored) {
    if (identify_hash(stored) != HashScheme::bcrypt || stored.size() != kBcryptLength ||
        stored[6] != '$' || stored[4] < '0' || stored[4] > '3' || stored[5] < '0' ||
        stored[5] > '9') {
        return std::nullopt;
    }
    const unsigned cost = static_cast<unsigned>((stored[4] - '0') * 10 + (stored[5] - '0'));
    if (cost < 4 || cost > 31) return std::nullopt;
    if (!std::all_of(stored.begin() + 7, stored.end(), is_bcrypt_char)) return std::nullopt;
    return cost;
}

std::string flask_prehash(std::string_view salt, std::string_view password) {
    return crypto::base64(crypto::hmac_sha512(salt, password));
}

bool bcrypt_verify(std::string_view input, const std::string& stored) {
    const auto cost = bcrypt_cost(stored);
    if (!cost || *cost > kMaxBcryptCost) return false;
    // crypt_rn reads a C string: bcrypt would stop at a NUL anyway.
    std::string phrase(input.substr(0, kBcryptInputBytes));
    phrase.resize(std::strlen(phrase.c_str()));
    auto data = std::make_unique<crypt_data>();  // ~32 KiB: not on the stack
    const char* out = crypt_rn(phrase.c_str(), stored.c_str(), data.get(), sizeof(crypt_data));
    const bool ok = out != nullptr && crypto::constant_time_equal(out, stored);
    explicit_bzero(data.get(), sizeof(crypt_data));
    explicit_bzero(phrase.data(), phrase.size());
    return ok;
}

}  // namespace mfo
