#include "pipeline/authorizer.hpp"

#include <algorithm>
#include <string>

#include "auth/flash_cookie.hpp"
#include "http/http_error.hpp"
#include "pipeline/request_phases.hpp"
#include "views/page_response.hpp"

namespace mfo {

namespace {

std::string joined(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ",") + n;
    return out;
}

// Identity values come from the database; one with a control character (a
// row written by hand, an import) is left out rather than split a header.
bool header_safe(const std::string& value) {
    return std::none_of(value.begin(), value.end(),
                        [](unsigned char c) { return c < 0x20 || c == 0x7f; });
}

// The identity of an allowed request, under the names the front server
// expects: "X-Mfo-Email" for nginx, "Variable-MFO_EMAIL" for Apache (which
// strips "Variable-" and sets the rest as an environment variable).
void add_identity(Response& r, const Principal& who, AuthorizerKind kind) {
    if (!who.authenticated()) return;  // a public rule: anonymous is allowed
    const bool apache = kind == AuthorizerKind::fastcgi_authorizer;
    const std::pair<const char*, std::string> fields[] = {
        {apache ? "Variable-MFO_USER_ID" : "X-Mfo-User-Id", std::to_string(who.user_id)},
        {apache ? "Variable-MFO_EMAIL" : "X-Mfo-Email", who.email},
        {apache ? "Variable-MFO_ROLES" : "X-Mfo-Roles", joined(who.roles)},
    };
    for (const auto& [name, value] : fields) {
        if (header_safe(value)) r.add_header(name, value);
    }
}

Response status_only(int status) {
    Response r;
    r.status = status;
    r.content_type = "text/plain; charset=utf-8";
    r.no_store = true;
    return r;
}

}  // namespace

std::optional<AuthorizerKind> authorizer_kind(FcgiRole role, const RequestParams& params) {
    const char* asked = params.get(RequestParams::mfo_authorize);
    switch (role) {
        case FcgiRole::authorizer:
            // Apache sends no MFO_AUTHORIZE; anything else asking for a
            // different answer on this role is a configuration error.
            if (asked) throw HttpError(400, "MFO_AUTHORIZE is not used with the AUTHORIZER role.");
            return AuthorizerKind::fastcgi_authorizer;
        case FcgiRole::filter:
            throw HttpError(400, "The FastCGI FILTER role is not supported.");
        case FcgiRole::responder:
            break;
    }
    if (!asked) return std::nullopt;
    const std::string value = asked;
    if (value == "check") return AuthorizerKind::nginx_check;
    if (value == "page") return AuthorizerKind::nginx_page;
    throw HttpError(400, "MFO_AUTHORIZE must be check or page.");
}

RequestParams without_body(const RequestParams& params) {
    RequestParams out = params;
    out.values[RequestParams::content_length] = nullptr;
    out.values[RequestParams::content_type] = nullptr;
    return out;
}

Response authorize(RequestContext& ctx, AuthorizerKind kind) {
    // Reads only: the session row (no last_seen write, see README), the rules
    // and flash cookie in memory.
    resolve_session(ctx, false);
    ctx.rule = ctx.app.rules.find(ctx.req.path, ctx.req.method);
    const AccessDecision decision = check_access(ctx.rule, ctx.principal);

    if (kind == AuthorizerKind::nginx_check) {
        if (decision == AccessDecision::allow) {
            Response r = status_only(204);
            add_identity(r, ctx.principal, kind);
            return r;
        }
        return status_only(decision == AccessDecision::login_required ? 401 : 403);
    }

    if (decision == AccessDecision::allow && kind == AuthorizerKind::fastcgi_authorizer) {
        Response r = status_only(200);
        add_identity(r, ctx.principal, kind);
        return r;
    }
    // The page mfo itself would answer for a denied request.
    ctx.flashes = read_flashes(ctx);
    ctx.flash_cookie_seen = ctx.req.cookie(ctx.cookie_name("mfo_flash")).has_value();
    if (decision != AccessDecision::allow) return deny_access(ctx, decision);
    // nginx asked for the denial page of a request mfo allows: nginx itself
    // refused it (a file it may not read answers 403 too). Never a redirect
    // back to the same URL, which would loop.
    return error_response(ctx, 403, "You do not have permission to view this resource.");
}

}  // namespace mfo
