// application/x-www-form-urlencoded bodies and query strings.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "http/form_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const auto form = mfo::parse_urlencoded(input);
    if (form) {
        // Every decoded name and value is valid UTF-8 and survives a round trip.
        std::string again;
        for (const auto& [name, value] : form->items()) {
            if (!mfo::is_valid_utf8(name) || !mfo::is_valid_utf8(value)) __builtin_trap();
            if (!again.empty()) again += '&';
            again += mfo::percent_encode(name) + "=" + mfo::percent_encode(value);
        }
        const auto reparsed = mfo::parse_urlencoded(again);
        if (!reparsed) __builtin_trap();
        // Empty pairs ("&&") are dropped, so compare the non-empty items only.
        std::string first, second;
        for (const auto& [n, v] : form->items()) first += n + '\0' + v + '\0';
        for (const auto& [n, v] : reparsed->items()) second += n + '\0' + v + '\0';
        if (first != second) __builtin_trap();
    }
    for (const bool plus : {false, true}) {
        const auto decoded = mfo::percent_decode(input, plus);
        if (decoded && !mfo::is_valid_utf8(*decoded)) __builtin_trap();
    }
    if (mfo::is_valid_utf8(input)) {
        const auto back = mfo::percent_decode(mfo::percent_encode(input), false);
        if (!back || *back != input) __builtin_trap();
    }
    return 0;
}
