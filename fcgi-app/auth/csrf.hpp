#pragma once
// CSRF tokens. With a session: derived from the session's CSRF secret. Before
// login: bound to a signed pre-session cookie holding a random nonce and its
// issue time, which costs no database write; it expires after an hour (or
// the session idle timeout when longer), so a leaked pair is not good forever.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "auth/signed_value.hpp"
#include "context/request_context.hpp"
#include "http/response.hpp"

namespace mfo {

enum class CsrfCheck { ok, missing, invalid, no_session };

// The token of a session with this CSRF secret.
std::string session_csrf_token(const AppContext& app, const std::string& csrf_secret);
// The token for forms; may set the pre-session cookie on `response`.
std::string csrf_token_for(const RequestContext& ctx, Response& response);
// Checks the token the client sent (form field, JSON field or X-CSRF-Token).
CsrfCheck check_csrf(const RequestContext& ctx, const std::string& supplied);
// The Flask-Security message for a failed check.
std::string csrf_message(CsrfCheck check);
// The pre-session cookie's value for `nonce` issued at `issued_at` (Unix
// seconds), and the nonce back from one that is genuine and not older than
// `lifetime` at `now`.
std::string sign_pre_session(const Signer& signer, std::string_view nonce, std::int64_t issued_at);
std::optional<std::string> open_pre_session(const Signer& signer, std::string_view cookie,
                                            std::int64_t now, std::int64_t lifetime);
// Drops the pre-session cookie (at login: no pre-login state survives).
void clear_pre_session(const RequestContext& ctx, Response& response);

}  // namespace mfo
