#pragma once
// argon2id password hashing in PHC string format, with an optional pepper.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace mfo {

class Argon2Slots;

struct Argon2Params {
    std::uint32_t memory_kib = 19456;
    std::uint32_t iterations = 2;
    std::uint32_t parallelism = 1;
    // argon2 computations at once in this process; each one holds (and its
    // slot keeps for the next) memory_kib of memory. 0: the online CPUs.
    unsigned max_concurrent = 0;
};

// Thread-safe; copies share the bound on concurrent computations.
class PasswordHasher {
  public:
    PasswordHasher(Argon2Params params, std::string pepper);

    std::string hash(std::string_view password) const;
    // False for a wrong password and for a malformed or non-argon2id hash;
    // also for a hash that would cost more than 4x the configured memory or
    // passes (a hostile or corrupt row must not make us allocate or compute
    // without bound), and for versions other than v=19. Never throws for a
    // malformed `phc`, which costs the same time as a real verification.
    bool verify(std::string_view password, const std::string& phc) const;
    // True when `phc` was made with other parameters than the current ones.
    bool needs_rehash(const std::string& phc) const;
    // Costs one verification, for requests that have no real hash to check
    // (unknown email), so that timing does not tell accounts apart.
    void dummy_verify(std::string_view password) const;

    // The bound on concurrent computations actually in force.
    unsigned max_concurrent() const;

  private:
    std::string prepare(std::string_view password) const;

    Argon2Params params_;
    std::string pepper_;
    std::shared_ptr<Argon2Slots> slots_;
    std::string dummy_hash_;
};

}  // namespace mfo
