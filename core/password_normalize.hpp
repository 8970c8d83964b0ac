#pragma once
// Unicode NFKD of a password, as Flask-Security-Too applies before hashing
// and verifying (PASSWORD_NORMALIZE_FORM): "ﬁne" and "fine" are the same
// password, and so are a precomposed and a decomposed "ä".

#include <string>
#include <string_view>

namespace mfo {

// The NFKD form of `password` (libunistring). Text that is not valid UTF-8
// is returned unchanged: it has no normal form, and refusing it here would
// lock out whoever set such a password.
std::string normalize_password(std::string_view password);

}  // namespace mfo
