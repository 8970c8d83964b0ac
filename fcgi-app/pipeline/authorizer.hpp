#pragma once
// mfo as the login and role gate of other applications on the same front
// server: decides for the *original* request (its URI and method, passed by
// the front server) with conf/access.conf, the session and the user's roles,
// exactly as for mfo's own pages. One SELECT, no writes, no handler runs.
//
// Three ways in (README "Protecting other applications"):
//   - nginx auth_request, RESPONDER role with param MFO_AUTHORIZE=check: 204
//     with X-Mfo-User-Id / X-Mfo-Email / X-Mfo-Roles when allowed, 401 not
//     logged in, 403 without the role; no body (nginx ignores it).
//   - nginx error_page after a 401/403, MFO_AUTHORIZE=page: the page mfo
//     itself would answer (302 to /login?next=..., or the forbidden page).
//   - Apache mod_authnz_fcgi, FastCGI AUTHORIZER role: 200 with
//     Variable-MFO_USER_ID / MFO_EMAIL / MFO_ROLES when allowed, else the
//     page mfo itself would answer.

#include <optional>

#include "context/request_context.hpp"
#include "http/request_params.hpp"
#include "http/response.hpp"

namespace mfo {

enum class AuthorizerKind { nginx_check, nginx_page, fastcgi_authorizer };

// Which authorizer a request asks for, or nullopt for an ordinary page
// request. Throws HttpError(400) for an unknown MFO_AUTHORIZE value or a
// FastCGI role mfo does not play (FILTER): such a request is never answered
// as a page.
std::optional<AuthorizerKind> authorizer_kind(FcgiRole role, const RequestParams& params);

// The params an authorizer decision is parsed from: those of the original
// request minus its body (an authorizer never reads one).
RequestParams without_body(const RequestParams& params);

// The answer for the original request in ctx.req.
Response authorize(RequestContext& ctx, AuthorizerKind kind);

}  // namespace mfo
