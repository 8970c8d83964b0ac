#pragma once
// Email syntax (no DNS) and normalisation shared by /register and the tools.

#include <optional>
#include <string>
#include <string_view>

namespace mfo {

// Trims surrounding whitespace and lower-cases the domain (the local part
// keeps its case, as Flask-Security does). nullopt when the address is not a
// plausible email: exactly one '@', a non-empty dot-atom local part of at
// most 64 bytes, a domain of dot-separated LDH labels with at least one dot,
// at most 254 bytes overall, no control characters or spaces.
std::optional<std::string> normalize_email(std::string_view input);

}  // namespace mfo
