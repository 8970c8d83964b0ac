#include "password_hasher.hpp"

#include <argon2.h>

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <thread>

#include "argon2_phc.hpp"
#include "argon2_slots.hpp"
#include "crypto.hpp"
#include "flask_password.hpp"
#include "password_normalize.hpp"

namespace mfo {

namespace {

constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;
// How much more than the configured memory and passes a stored hash may ask
// for. Enough for older or foreign parameters (argon2-cffi's 64 MiB, t=3
// against our 19 MiB, t=2), which are upgraded at the next login; lowering
// the configured costs by more than this makes such hashes fail to verify.
constexpr std::uint64_t kMaxCostFactor = 4;
// argon2-cffi <= 21.1's profile (m=102400, t=10 from Flask-Security-Too's
// argon2__rounds): hashes of the Flask app verify whatever our own costs are.
constexpr std::uint64_t kFlaskMaxMemoryKib = 102400;
constexpr std::uint64_t kFlaskMaxIterations = 10;

std::uint8_t* bytes(std::string& s) {
    return reinterpret_cast<std::uint8_t*>(s.data());
}

bool fits_u32(const std::string& s) {
    return s.size() <= std::numeric_limits<std::uint32_t>::max();
}

// The context for computing `phc`'s hash of `input` into `out`, with at most
// `max_threads` threads (the result does not depend on it; lanes do).
argon2_context context_for(std::string& input, Argon2idPhc& phc, std::string& out,
                           std::uint32_t max_threads) {
    argon2_context ctx{};
    ctx.out = bytes(out);
    ctx.outlen = static_cast<std::uint32_t>(out.size());
    ctx.pwd = bytes(input);
    ctx.pwdlen = static_cast<std::uint32_t>(input.size());
    ctx.salt = bytes(phc.salt);
    ctx.saltlen = static_cast<std::uint32_t>(phc.salt.size());
    ctx.t_cost = phc.iterations;
    ctx.m_cost = phc.memory_kib;
    ctx.lanes = phc.parallelism;
    ctx.threads = std::clamp(phc.parallelism, 1u, std::max(max_threads, 1u));
    ctx.version = ARGON2_VERSION_13;
    ctx.flags = ARGON2_DEFAULT_FLAGS;
    return ctx;
}

}  // namespace

PasswordHasher::PasswordHasher(Argon2Params params, std::string pepper)
    : params_(params),
      pepper_(std::move(pepper)),
      slots_(std::make_shared<Argon2Slots>(params.max_concurrent,
                                           std::size_t{params.memory_kib} * 1024)) {
    // Random bytes in place of a hash: verifying against them costs what a
    // real verification costs, and the constructor computes nothing (it runs
    // in the supervisor, which would otherwise keep a slot's memory).
    dummy_hash_ = format_argon2id_phc(
        Argon2idPhc{params_.memory_kib, params_.iterations, params_.parallelism,
                    crypto::random_bytes(kSaltBytes), crypto::random_bytes(kHashBytes)});
}

unsigned PasswordHasher::max_concurrent() const {
    return slots_->count();
}

// Flask-Security-Too's recipe: base64(HMAC-SHA512(pepper, password)).
std::string PasswordHasher::prepare(std::string_view normalized_password) const {
    if (pepper_.empty()) return std::string(normalized_password);
    return flask_prehash(pepper_, normalized_password);
}

std::string PasswordHasher::hash(std::string_view password) const {
    std::string input = prepare(normalize_password(password));
    if (!fits_u32(input)) throw std::length_error("argon2id hashing failed: password too long");
    Argon2idPhc phc{params_.memory_kib, params_.iterations, params_.parallelism,
                    crypto::random_bytes(kSaltBytes), std::string(kHashBytes, '\0')};
    argon2_context ctx = context_for(input, phc, phc.hash, params_.parallelism);
    const int rc = slots_->run(ctx, [](argon2_context& c) { return argon2_ctx(&c, Argon2_id); });
    if (rc != ARGON2_OK) {
        throw std::runtime_error(std::string("argon2id hashing failed: ") +
                                 argon2_error_message(rc));
    }
    return format_argon2id_phc(phc);
}

bool PasswordHasher::verify(std::string_view password, const std::string& phc) const {
    return check(password, phc).ok;
}

PasswordCheck PasswordHasher::check(std::string_view password, const std::string& stored) const {
    const std::string normalized = normalize_password(password);
    switch (identify_hash(stored)) {
        case HashScheme::argon2id: {
            if (verify_argon2id(normalized, stored)) return {true, needs_rehash(stored)};
            // A password set before mfo normalised passwords (not NFKD-stable
            // text only, so ASCII passwords never pay for a second try).
            const bool legacy = normalized != password && parse_argon2id_phc(stored).has_value() &&
                                verify_argon2id(password, stored);
            return {legacy, legacy};
        }
        case HashScheme::bcrypt:
            if (!pepper_.empty() && bcrypt_cost(stored).value_or(99) <= kMaxBcryptCost) {
                const bool ok = bcrypt_verify(flask_prehash(pepper_, normalized), stored);
                return {ok, ok};
            }
            break;
        case HashScheme::unknown:
            break;
    }
    // No way to verify: spend what a verification costs, as for an unknown
    // email, so that timing does not single out such accounts.
    dummy_verify(password);
    return {};
}

// `password` is already normalised (or deliberately not, for the legacy try).
bool PasswordHasher::verify_argon2id(std::string_view password, const std::string& phc) const {
    auto parsed = parse_argon2id_phc(phc);
    const auto max_memory = std::max(kMaxCostFactor * params_.memory_kib, kFlaskMaxMemoryKib);
    const auto max_iterations = std::max(kMaxCostFactor * params_.iterations, kFlaskMaxIterations);
    if (!parsed || parsed->memory_kib > max_memory || parsed->iterations > max_iterations) {
        // Refused in the time of a verification: the answer's timing must
        // not tell a broken row from a wrong password.
        if (phc != dummy_hash_) (void)verify_argon2id(password, dummy_hash_);
        return false;
    }
    std::string input = prepare(password);
    if (!fits_u32(input)) return false;
    std::string out(parsed->hash.size(), '\0');
    // A hash with more lanes than ours (argon2-cffi's p=4 or p=8) may use
    // the CPUs: 100 MiB x 10 passes on one thread takes seconds.
    const auto threads =
        std::max(params_.parallelism, std::max(1u, std::thread::hardware_concurrency()));
    argon2_context ctx = context_for(input, *parsed, out, threads);
    const int rc = slots_->run(ctx, [&](argon2_context& c) {
        return argon2_verify_ctx(&c, parsed->hash.data(), Argon2_id);
    });
    return rc == ARGON2_OK;
}

bool PasswordHasher::needs_rehash(const std::string& phc) const {
    const std::string expected = "$argon2id$v=19$m=" + std::to_string(params_.memory_kib) +
                                 ",t=" + std::to_string(params_.iterations) +
                                 ",p=" + std::to_string(params_.parallelism) + "$";
    return phc.rfind(expected, 0) != 0;
}

void PasswordHasher::dummy_verify(std::string_view password) const {
    (void)verify_argon2id(normalize_password(password), dummy_hash_);
}

}  // namespace mfo
