#include "auth/csrf.hpp"

#include <algorithm>
#include <ctime>
#include <optional>

#include "crypto.hpp"

namespace mfo {

namespace {

constexpr const char* kPreSessionCookie = "mfo_csrf";
// A new purpose for the timed payload: an untimed cookie of an older
// version no longer verifies (the form is simply served a fresh one).
constexpr const char* kPurpose = "pre-session-t";
constexpr std::size_t kNonceBytes = 16;

std::int64_t now_seconds() {
    return static_cast<std::int64_t>(std::time(nullptr));
}

// An hour, or the session idle timeout when that is longer.
std::int64_t pre_session_lifetime(const AppContext& app) {
    return std::max<std::int64_t>(3600, app.config.session_idle_timeout);
}

std::optional<std::string> pre_session_nonce(const RequestContext& ctx) {
    auto cookie = ctx.req.cookie(ctx.cookie_name(kPreSessionCookie));
    if (!cookie) return std::nullopt;
    return open_pre_session(ctx.app.signer, *cookie, now_seconds(), pre_session_lifetime(ctx.app));
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
            if (auto nonce = open_pre_session(ctx.app.signer, c.value, now_seconds(),
                                              pre_session_lifetime(ctx.app)))
                return token_from_nonce(ctx, *nonce);
        }
    }
    const std::string nonce = crypto::random_bytes(kNonceBytes);
    SetCookie cookie;
    cookie.name = name;
    cookie.value = sign_pre_session(ctx.app.signer, nonce, now_seconds());
    cookie.secure = ctx.cookie_secure();
    response.set_cookie(std::move(cookie));
    return token_from_nonce(ctx, nonce);
}

std::string sign_pre_session(const Signer& signer, std::string_view nonce, std::int64_t issued_at) {
    std::string payload(nonce);
    for (int shift = 56; shift >= 0; shift -= 8) {
        payload.push_back(
            static_cast<char>((static_cast<std::uint64_t>(issued_at) >> shift) & 0xff));
    }
    return signer.sign(kPurpose, payload);
}

std::optional<std::string> open_pre_session(const Signer& signer, std::string_view cookie,
                                            std::int64_t now, std::int64_t lifetime) {
    auto payload = signer.verify(kPurpose, cookie);
    if (!payload || payload->size() != kNonceBytes + 8) return std::nullopt;
    std::uint64_t issued = 0;
    for (std::size_t i = kNonceBytes; i < payload->size(); ++i) {
        issued = (issued << 8) | static_cast<unsigned char>((*payload)[i]);
    }
    const auto issued_at = static_cast<std::int64_t>(issued);
    // A little slack for clocks of several hosts sharing the key.
    if (issued_at > now + 60 || now - issued_at > lifetime) return std::nullopt;
    payload->resize(kNonceBytes);
    return payload;
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
