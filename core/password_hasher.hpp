#pragma once
// argon2id password hashing in PHC string format, with an optional pepper.

#include <cstdint>
#include <string>
#include <string_view>

namespace mfo {

struct Argon2Params {
    std::uint32_t memory_kib = 19456;
    std::uint32_t iterations = 2;
    std::uint32_t parallelism = 1;
};

class PasswordHasher {
public:
    PasswordHasher(Argon2Params params, std::string pepper);

    std::string hash(std::string_view password) const;
    // False for a wrong password and for a malformed or non-argon2 hash.
    bool verify(std::string_view password, const std::string& phc) const;
    // True when `phc` was made with other parameters than the current ones.
    bool needs_rehash(const std::string& phc) const;
    // Costs one verification, for requests that have no real hash to check
    // (unknown email), so that timing does not tell accounts apart.
    void dummy_verify(std::string_view password) const;

private:
    std::string prepare(std::string_view password) const;

    Argon2Params params_;
    std::string pepper_;
    std::string dummy_hash_;
};

}  // namespace mfo
