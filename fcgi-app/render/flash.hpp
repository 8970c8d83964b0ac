#pragma once
// A one-shot message shown on the next page: what the flash cookie carries and
// the layout renders. Its own header so the cookie code need not know the
// renderer.

#include <string>

namespace mfo {

struct Flash {
    std::string category;  // info, success, error
    std::string message;
};

}  // namespace mfo
