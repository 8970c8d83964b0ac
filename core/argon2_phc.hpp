#pragma once
// The PHC string of an argon2id hash, exactly as libargon2 writes it:
//   $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>
// with salt and hash in standard base64 without padding. We encode and decode
// it ourselves so that the hash can be computed with argon2_ctx (and its
// memory callbacks) rather than argon2id_hash_encoded / argon2id_verify.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mfo {

struct Argon2idPhc {
    std::uint32_t memory_kib = 0;
    std::uint32_t iterations = 0;
    std::uint32_t parallelism = 0;
    std::string salt;  // raw bytes
    std::string hash;  // raw bytes
};

std::string format_argon2id_phc(const Argon2idPhc& phc);

// nullopt for anything libargon2's decoder or validate_inputs would refuse,
// and also for versions other than v=19 (including the implied v=16 of a
// string without "$v="): every argon2id implementation writes v=19.
std::optional<Argon2idPhc> parse_argon2id_phc(std::string_view text);

}  // namespace mfo
