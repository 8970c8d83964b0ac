#pragma once
// What one request carries through the phases: parse -> resolve session ->
// route -> check access -> handle -> render.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "auth/session_cache.hpp"
#include "auth/session_store.hpp"
#include "context/app_context.hpp"
#include "database.hpp"
#include "http/request.hpp"
#include "render/renderer.hpp"

namespace mfo {

struct RequestContext {
    const AppContext& app;
    Database& db;
    const Request& req;
    std::string request_id;

    Principal principal;  // anonymous unless a session resolved
    std::optional<ResolvedSession> session;
    const AccessRule* rule = nullptr;
    std::map<std::string, std::string> params;  // {name} segments of the route

    std::vector<Flash> flashes;         // read from the flash cookie
    bool flash_cookie_seen = false;     // the response must clear it once shown
    bool clear_session_cookie = false;  // the cookie named an invalid session
    SessionCache* session_cache = nullptr;  // this worker's, when [security] session_cache

    // Cookie names get the __Host- prefix under https.
    std::string cookie_name(const std::string& base) const;
    bool cookie_secure() const;
};

}  // namespace mfo
