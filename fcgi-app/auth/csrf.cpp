#include "auth/csrf.hpp"

#include <optional>

#include "crypto.hpp"

namespace mfo {

namespace {

constexpr const char* kPreSessionCookie = "mfo_csrf";

std::optional<std::string> pre_session_nonce(const RequestContext& ctx) {
    auto cookie = ctx.req.cookie(ctx.cookie_name(kPreSessionCookie));
    if (!cookie) return std::nullopt;
    return ctx.app.signer.verify("pre-session", *cookie);
}

std::string token_from_session(const RequestContext& ctx) {
    return session_csrf_token(ctx.app, ctx.session->csrf_secret);
}

std::string token_from_nonce(const RequestContext& ctx, const std::string& nonce) {
    return ctx.app.signer.mac("csrf-pre-session", nonce);
}

}  // namespace

std::string session_csrf_token(const AppContext& app, const std::string& csrf_secret) {
    return app.signer.mac("csrf-session", csrf_secret);
}

std::string csrf_token_for(const RequestContext& ctx, Response& response) {
    if (ctx.session) return token_from_session(ctx);
    if (auto nonce = pre_session_nonce(ctx)) return token_from_nonce(ctx, *nonce);
    // Reuse a nonce set earlier in this response (several forms on one page).
    const std::string name = ctx.cookie_name(kPreSessionCookie);
    for (const auto& c : response.cookies) {
        if (c.name == name && !c.value.empty()) {
            if (auto nonce = ctx.app.signer.verify("pre-session", c.value))
                return token_from_nonce(ctx, *nonce);
        }
    }
    const std::string nonce = crypto::random_bytes(16);
    SetCookie cookie;
    cookie.name = name;
    cookie.value = ctx.app.signer.sign("pre-session", nonce);
    cookie.secure = ctx.cookie_secure();
    response.set_cookie(std::move(cookie));
    return token_from_nonce(ctx, nonce);
}

CsrfCheck check_csrf(const RequestContext& ctx, const std::string& supplied) {
    if (supplied.empty()) return CsrfCheck::missing;
    std::string expected;
    if (ctx.session) {
        expected = token_from_session(ctx);
    } else if (auto nonce = pre_session_nonce(ctx)) {
        expected = token_from_nonce(ctx, *nonce);
    } else {
        return CsrfCheck::no_session;
    }
    return crypto::constant_time_equal(expected, supplied) ? CsrfCheck::ok : CsrfCheck::invalid;
}

std::string csrf_message(CsrfCheck check) {
    switch (check) {
        case CsrfCheck::missing:
            return "The CSRF token is missing.";
        case CsrfCheck::invalid:
            return "The CSRF token is invalid.";
        case CsrfCheck::no_session:
            return "The CSRF tokens do not match.";
        case CsrfCheck::ok:
            break;
    }
    return "";
}

void clear_pre_session(const RequestContext& ctx, Response& response) {
    if (ctx.req.cookie(ctx.cookie_name(kPreSessionCookie))) {
        response.set_cookie(
            SetCookie::expire(ctx.cookie_name(kPreSessionCookie), ctx.cookie_secure()));
    }
}

}  // namespace mfo
