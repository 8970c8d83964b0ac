// The argon2id PHC string stored in the user table (and imported hashes).

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "argon2_phc.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto phc = mfo::parse_argon2id_phc(text);
    if (!phc) return 0;
    if (phc->memory_kib == 0 || phc->iterations == 0 || phc->parallelism == 0) __builtin_trap();
    // What we write we read back the same.
    const auto again = mfo::parse_argon2id_phc(mfo::format_argon2id_phc(*phc));
    if (!again || again->memory_kib != phc->memory_kib || again->iterations != phc->iterations ||
        again->parallelism != phc->parallelism || again->salt != phc->salt ||
        again->hash != phc->hash)
        __builtin_trap();
    return 0;
}
