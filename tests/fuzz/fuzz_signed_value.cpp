// Signed values (pre-login CSRF cookie, flash cookie): verify() sees whatever
// a client sends back.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "auth/signed_value.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const mfo::Signer signer("fuzz-secret-key-0123456789abcdefghijklmnop");
    static const mfo::Signer other("another-secret-key-0123456789abcdefghijklm");
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    // Forged or mangled: only a value this key signed verifies.
    if (const auto payload = signer.verify("csrf", input)) {
        if (signer.sign("csrf", *payload) != input) __builtin_trap();
    }
    // Any payload survives a round trip, and only for its own purpose and key.
    const std::string signed_text = signer.sign("flash", input);
    const auto back = signer.verify("flash", signed_text);
    if (signed_text.size() <= 4096 && (!back || *back != input)) __builtin_trap();
    if (signer.verify("csrf", signed_text)) __builtin_trap();
    if (other.verify("flash", signed_text)) __builtin_trap();
    return 0;
}
