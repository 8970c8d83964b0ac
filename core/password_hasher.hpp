#pragma once
// argon2id password hashing in PHC string format, with an optional pepper
// (Flask-Security-Too's SECURITY_PASSWORD_SALT); passwords are NFKD-normalised
// first. Also verifies the bcrypt hashes imported from the Flask app.

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

// What a login learns from a stored hash.
struct PasswordCheck {
    bool ok = false;
    // The password is right and the hash should be replaced by hash(): other
    // parameters, another scheme (bcrypt), or a pre-NFKD mfo hash.
    bool upgrade = false;
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
    // A bcrypt hash (imported from Flask-Security-Too) verifies with
    // Flask's recipe when a pepper is set, and is false without one.
    bool verify(std::string_view password, const std::string& phc) const;
    // As verify(), and whether the hash should be upgraded. argon2id hashes
    // up to the cost of argon2-cffi's older profile (100 MiB, t=10), which
    // Flask-Security-Too 5.1-5.4 wrote, verify even above the 4x bound.
    // Unknown schemes cost one verification and are false.
    PasswordCheck check(std::string_view password, const std::string& stored) const;
    // True when `phc` was made with other parameters than the current ones.
    bool needs_rehash(const std::string& phc) const;
    // Costs one verification, for requests that have no real hash to check
    // (unknown email), so that timing does not tell accounts apart.
    void dummy_verify(std::string_view password) const;

    // The bound on concurrent computations actually in force.
    unsigned max_concurrent() const;

  private:
    std::string prepare(std::string_view normalized_password) const;
    bool verify_argon2id(std::string_view password, const std::string& phc) const;

    Argon2Params params_;
    std::string pepper_;
    std::shared_ptr<Argon2Slots> slots_;
    std::string dummy_hash_;
};

}  // namespace mfo
