#include "context/request_context.hpp"

namespace mfo {

std::string RequestContext::cookie_name(const std::string& base) const {
    return cookie_secure() ? "__Host-" + base : base;
}

bool RequestContext::cookie_secure() const {
    switch (app.config.cookie_secure) {
        case CookieSecure::always:
            return true;
        case CookieSecure::never:
            return false;
        case CookieSecure::automatic:
            return req.https;
    }
    return req.https;
}

}  // namespace mfo
