// GET/POST /login. Every failed login looks the same (status, body, timing):
// unknown email, wrong password and disabled account alike.

#include <nlohmann/json.hpp>

#include "auth/auth_input.hpp"
#include "auth/auth_session.hpp"
#include "auth/csrf.hpp"
#include "auth/login_throttle.hpp"
#include "auth/redirect_target.hpp"
#include "email_address.hpp"
#include "flask_password.hpp"
#include "http/form_parser.hpp"
#include "user_store.hpp"
#include "views/page_response.hpp"
#include "views/sign_in_gate.hpp"
#include "views/views.hpp"

namespace mfo {

namespace {

constexpr const char* kInvalidLogin = "Invalid email or password";

Response login_form(RequestContext& ctx, const std::string& email, const std::string& next,
                    const std::string& message, int status, Response response = {}) {
    TemplateValues c;
    const std::string safe_next = is_safe_redirect(next) ? next : "";
    c.set("ACTION", "/login");
    c.set("NEXT", safe_next);
    c.set("NEXT_QUERY", safe_next.empty() ? "" : "?next=" + percent_encode(safe_next));
    c.set("CSRF_TOKEN", csrf_token_for(ctx, response));
    c.set("EMAIL", email);
    if (!message.empty()) c.add_section("FORM_ERROR").set("MESSAGE", message);
    return render_page(ctx, PageSpec{"Log in", "auth/login.tpl", {}, status}, c,
                       std::move(response));
}

Response login_failed(RequestContext& ctx, const AuthInput& in, const std::string& message,
                      int status) {
    if (ctx.req.wants_json()) {
        return json_reply(status,
                          {{"errors", {message}}, {"field_errors", {{"password", {message}}}}});
    }
    return login_form(ctx, in.email, in.next, message, status);
}

std::string retry_text(long seconds) {
    const long minutes = (seconds + 59) / 60;
    return "Too many failed login attempts. Try again in " + std::to_string(minutes) +
           (minutes == 1 ? " minute." : " minutes.");
}

}  // namespace

Response login_page(RequestContext& ctx) {
    if (ctx.req.wants_json()) {
        Response response;
        const std::string token = csrf_token_for(ctx, response);
        Response reply =
            json_reply(200, {{"csrf_token", token}, {"identity_attributes", {"email"}}});
        reply.cookies = std::move(response.cookies);
        return reply;
    }
    if (ctx.principal.authenticated()) return Response::redirect("/");
    return login_form(ctx, "", ctx.req.query.get_or("next"), "", 200);
}

Response login_submit(RequestContext& ctx) {
    const auto sign_in_place = enter_sign_in(ctx);
    if (!sign_in_place) return sign_ins_busy(ctx);
    const AuthInput in = read_auth_input(ctx.req);
    const bool json = ctx.req.wants_json();

    if (const CsrfCheck csrf = check_csrf(ctx, in.csrf_token); csrf != CsrfCheck::ok) {
        const std::string message = csrf_message(csrf);
        if (json) {
            return json_reply(
                400, {{"errors", {message}}, {"field_errors", {{"csrf_token", {message}}}}});
        }
        return login_form(ctx, in.email, in.next, message, 400);
    }

    const auto email = normalize_email(in.email);
    const std::string throttle_key = email ? *email : in.email;
    const auto& app = ctx.app;
    // Reserve the attempt before any password work (reserve, then work).
    const ThrottleTicket ticket = app.throttle.reserve(ctx.db, throttle_key);
    if (!ticket.allowed) {
        Response r = login_failed(ctx, in, retry_text(ticket.retry_after), 429);
        r.add_header("Retry-After", std::to_string(ticket.retry_after));
        return r;
    }

    std::optional<UserRecord> user;
    // Causal: a user who registered through another app host a moment ago
    // is found even if this host's database node is a few writes behind.
    if (email) ctx.db.read([&](Database& db) { user = find_user_by_email(db, *email, true); });
    bool ok = false;
    PasswordCheck check;
    if (user) {
        check = app.hasher->check(in.password, user->password_hash);
        ok = check.ok && user->active;
    } else {
        app.hasher->dummy_verify(in.password);
    }
    if (!ok || in.password.empty()) {
        ctx.db.write([&](Database& db) {
            audit(db, user ? std::optional<std::uint64_t>(user->id) : std::nullopt, "web",
                  ticket.locks_account ? "login.lockout" : "login.failure",
                  email ? *email : "(invalid email)", ctx.req.remote_addr);
        });
        return login_failed(ctx, in, kInvalidLogin, json ? 400 : 200);
    }

    app.throttle.record_success(ctx.db, throttle_key, ticket);
    if (check.upgrade) {
        // Other argon2 parameters, or a hash imported from the Flask app:
        // replaced by our own now that we know the password.
        const std::string upgraded = app.hasher->hash(in.password);
        const std::string from = scheme_name(identify_hash(user->password_hash));
        ctx.db.transaction([&](Database& db) {
            update_password_hash(db, user->id, upgraded);
            audit(db, user->id, "web", "password.rehash", user->email, ctx.req.remote_addr,
                  "from " + from);
        });
    }
    Response response = json ? Response{} : Response::redirect(safe_redirect_or_home(in.next));
    const std::string token = start_session(ctx, response, user->id, user->email, in.remember);
    if (json) {
        Response reply =
            json_reply(200, {{"csrf_token", token}, {"user", {{"email", user->email}}}});
        reply.cookies = std::move(response.cookies);
        return reply;
    }
    return response;
}

}  // namespace mfo
