#include "password_hasher.hpp"

#include <argon2.h>

#include <stdexcept>
#include <vector>

#include "crypto.hpp"

namespace mfo {

namespace {
constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;
}  // namespace

PasswordHasher::PasswordHasher(Argon2Params params, std::string pepper)
    : params_(params), pepper_(std::move(pepper)) {
    dummy_hash_ = hash(crypto::hex(crypto::random_bytes(16)));
}

// Flask-Security-Too's recipe: base64(HMAC-SHA512(pepper, password)).
std::string PasswordHasher::prepare(std::string_view password) const {
    if (pepper_.empty()) return std::string(password);
    return crypto::base64(crypto::hmac_sha512(pepper_, password));
}

std::string PasswordHasher::hash(std::string_view password) const {
    const std::string input = prepare(password);
    const std::string salt = crypto::random_bytes(kSaltBytes);
    const std::size_t len = argon2_encodedlen(params_.iterations, params_.memory_kib,
                                              params_.parallelism, kSaltBytes, kHashBytes,
                                              Argon2_id);
    std::vector<char> encoded(len);
    const int rc = argon2id_hash_encoded(params_.iterations, params_.memory_kib,
                                         params_.parallelism, input.data(), input.size(),
                                         salt.data(), salt.size(), kHashBytes, encoded.data(),
                                         encoded.size());
    if (rc != ARGON2_OK) {
        throw std::runtime_error(std::string("argon2id hashing failed: ") +
                                 argon2_error_message(rc));
    }
    return std::string(encoded.data());
}

bool PasswordHasher::verify(std::string_view password, const std::string& phc) const {
    if (phc.rfind("$argon2id$", 0) != 0) return false;
    const std::string input = prepare(password);
    return argon2id_verify(phc.c_str(), input.data(), input.size()) == ARGON2_OK;
}

bool PasswordHasher::needs_rehash(const std::string& phc) const {
    const std::string expected = "$argon2id$v=19$m=" + std::to_string(params_.memory_kib) +
                                 ",t=" + std::to_string(params_.iterations) +
                                 ",p=" + std::to_string(params_.parallelism) + "$";
    return phc.rfind(expected, 0) != 0;
}

void PasswordHasher::dummy_verify(std::string_view password) const {
    (void)verify(password, dummy_hash_);
}

}  // namespace mfo
