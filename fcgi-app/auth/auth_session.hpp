#pragma once
// Starting and ending a login session (shared by login, register, logout).

#include <string>

#include "context/request_context.hpp"
#include "http/response.hpp"

namespace mfo {

// Creates a fresh session for `user_id`, ends any session the request came
// with, drops pre-login state and sets the session cookie on `response`.
// Returns the new session's CSRF token (for JSON clients).
std::string start_session(RequestContext& ctx, Response& response, std::uint64_t user_id,
                          const std::string& email, bool remember);
// Deletes the request's session (if any) and expires the cookie.
void end_session(RequestContext& ctx, Response& response);

}  // namespace mfo
