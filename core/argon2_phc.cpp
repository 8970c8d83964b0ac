#include "argon2_phc.hpp"

#include <array>
#include <limits>

#include "crypto.hpp"

namespace mfo {

namespace {

constexpr std::string_view kPrefix = "$argon2id$v=19$m=";
// libargon2's validate_inputs limits (argon2.h), checked here so that a
// string we accept is one argon2_ctx accepts too.
constexpr std::size_t kMinSaltBytes = 8;
constexpr std::size_t kMinHashBytes = 4;
constexpr std::uint32_t kMaxLanes = 0xFFFFFF;
constexpr std::uint32_t kSyncPoints = 4;

constexpr unsigned kNotBase64 = 0xFF;

constexpr std::array<unsigned char, 256> base64_values() {
    std::array<unsigned char, 256> table{};
    table.fill(kNotBase64);
    constexpr std::string_view alphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (std::size_t i = 0; i < alphabet.size(); ++i) {
        table[static_cast<unsigned char>(alphabet[i])] = static_cast<unsigned char>(i);
    }
    return table;
}

constexpr auto kBase64Values = base64_values();

// Consumes `literal` at the front of `text`.
bool take(std::string_view& text, std::string_view literal) {
    if (text.substr(0, literal.size()) != literal) return false;
    text.remove_prefix(literal.size());
    return true;
}

// A decimal that fits in 32 bits, without leading zeros (libargon2's
// decode_decimal and DECIMAL_U32).
std::optional<std::uint32_t> take_decimal(std::string_view& text) {
    std::size_t digits = 0;
    std::uint64_t value = 0;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') {
        value = value * 10 + static_cast<std::uint64_t>(text[digits] - '0');
        if (value > std::numeric_limits<std::uint32_t>::max()) return std::nullopt;
        ++digits;
    }
    if (digits == 0 || (text[0] == '0' && digits > 1)) return std::nullopt;
    text.remove_prefix(digits);
    return static_cast<std::uint32_t>(value);
}

// Base64 without padding up to the next character outside the alphabet, as
// libargon2's from_base64: a length of 1 mod 4 and non-zero leftover bits
// are refused, so every byte string has exactly one accepted encoding.
std::optional<std::string> take_base64(std::string_view& text) {
    std::string out;
    unsigned acc = 0;
    unsigned acc_bits = 0;
    std::size_t used = 0;
    for (; used < text.size(); ++used) {
        const unsigned d = kBase64Values[static_cast<unsigned char>(text[used])];
        if (d == kNotBase64) break;
        acc = ((acc << 6) | d) & 0xFFF;
        acc_bits += 6;
        if (acc_bits >= 8) {
            acc_bits -= 8;
            out.push_back(static_cast<char>((acc >> acc_bits) & 0xFF));
        }
    }
    if (acc_bits > 4 || (acc & ((1u << acc_bits) - 1)) != 0) return std::nullopt;
    text.remove_prefix(used);
    return out;
}

std::string base64_unpadded(std::string_view raw) {
    std::string text = crypto::base64(raw);
    while (!text.empty() && text.back() == '=') text.pop_back();
    return text;
}

}  // namespace

std::string format_argon2id_phc(const Argon2idPhc& phc) {
    return std::string(kPrefix) + std::to_string(phc.memory_kib) +
           ",t=" + std::to_string(phc.iterations) + ",p=" + std::to_string(phc.parallelism) + "$" +
           base64_unpadded(phc.salt) + "$" + base64_unpadded(phc.hash);
}

std::optional<Argon2idPhc> parse_argon2id_phc(std::string_view text) {
    Argon2idPhc phc;
    if (!take(text, kPrefix)) return std::nullopt;
    const auto m = take_decimal(text);
    if (!m || !take(text, ",t=")) return std::nullopt;
    const auto t = take_decimal(text);
    if (!t || !take(text, ",p=")) return std::nullopt;
    const auto p = take_decimal(text);
    if (!p || !take(text, "$")) return std::nullopt;
    auto salt = take_base64(text);
    if (!salt || !take(text, "$")) return std::nullopt;
    auto hash = take_base64(text);
    if (!hash || !text.empty()) return std::nullopt;

    if (*t < 1 || *p < 1 || *p > kMaxLanes) return std::nullopt;
    if (*m < 2 * kSyncPoints * *p) return std::nullopt;
    if (salt->size() < kMinSaltBytes || hash->size() < kMinHashBytes) return std::nullopt;
    phc.memory_kib = *m;
    phc.iterations = *t;
    phc.parallelism = *p;
    phc.salt = std::move(*salt);
    phc.hash = std::move(*hash);
    return phc;
}

}  // namespace mfo
