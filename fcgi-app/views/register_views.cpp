// GET/POST /register: self-registration (config `registerable`).

#include <nlohmann/json.hpp>

#include "auth/auth_input.hpp"
#include "auth/auth_session.hpp"
#include "auth/csrf.hpp"
#include "auth/redirect_target.hpp"
#include "email_address.hpp"
#include "http/form_parser.hpp"
#include "http/http_error.hpp"
#include "http/request_log.hpp"
#include "user_store.hpp"
#include "views/page_response.hpp"
#include "views/sign_in_gate.hpp"
#include "views/views.hpp"

namespace mfo {

namespace {

struct RegisterErrors {
    std::string form;
    std::string email;
    std::string password;
    std::string confirm;
    bool any() const {
        return !form.empty() || !email.empty() || !password.empty() || !confirm.empty();
    }
};

Response register_form(RequestContext& ctx, const AuthInput& in, const RegisterErrors& errors,
                       int status) {
    Response response;
    TemplateValues c;
    const std::string safe_next = is_safe_redirect(in.next) ? in.next : "";
    c.set("NEXT", safe_next);
    c.set("NEXT_QUERY", safe_next.empty() ? "" : "?next=" + percent_encode(safe_next));
    c.set("CSRF_TOKEN", csrf_token_for(ctx, response));
    c.set("EMAIL", in.email);
    if (!errors.form.empty()) c.add_section("FORM_ERROR").set("MESSAGE", errors.form);
    if (!errors.email.empty()) c.add_section("EMAIL_ERROR").set("MESSAGE", errors.email);
    if (!errors.password.empty()) c.add_section("PASSWORD_ERROR").set("MESSAGE", errors.password);
    if (!errors.confirm.empty()) c.add_section("CONFIRM_ERROR").set("MESSAGE", errors.confirm);
    return render_page(ctx, PageSpec{"Register", "auth/register.tpl", {}, status}, c,
                       std::move(response));
}

Response register_refused(RequestContext& ctx, const AuthInput& in, const RegisterErrors& e,
                          int status) {
    if (!ctx.req.wants_json()) return register_form(ctx, in, e, status);
    nlohmann::json errors = nlohmann::json::array();
    nlohmann::json fields = nlohmann::json::object();
    auto add = [&](const char* field, const std::string& message) {
        if (message.empty()) return;
        errors.push_back(message);
        fields[field] = {message};
    };
    add("csrf_token", e.form);
    add("email", e.email);
    add("password", e.password);
    add("password_confirm", e.confirm);
    return json_reply(400, {{"errors", errors}, {"field_errors", fields}});
}

// The register form's `next` usually comes from our own nav links; send the
// new user to the route's canonical path ("/admin/" -> "/admin").
std::string canonical_target(std::string target) {
    const std::size_t q = target.find('?');
    std::string path = target.substr(0, q);
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    return q == std::string::npos ? path : path + target.substr(q);
}

void ensure_registerable(const RequestContext& ctx) {
    if (!ctx.app.config.registerable) throw HttpError(404, "Registration is closed.");
}

}  // namespace

Response register_page(RequestContext& ctx) {
    ensure_registerable(ctx);
    if (ctx.principal.authenticated()) return Response::redirect("/");
    AuthInput in;
    in.next = ctx.req.query.get_or("next");
    return register_form(ctx, in, {}, 200);
}

Response register_submit(RequestContext& ctx) {
    ensure_registerable(ctx);
    const auto sign_in_place = enter_sign_in(ctx);
    if (!sign_in_place) return sign_ins_busy(ctx);
    const AuthInput in = read_auth_input(ctx.req);
    if (const CsrfCheck csrf = check_csrf(ctx, in.csrf_token); csrf != CsrfCheck::ok) {
        return register_refused(ctx, in, RegisterErrors{csrf_message(csrf), "", "", ""}, 400);
    }

    RegisterErrors errors;
    const auto email = normalize_email(in.email);
    if (in.email.empty()) {
        errors.email = "Email not provided";
    } else if (!email) {
        errors.email = "Invalid email address";
    }
    if (in.password.empty()) {
        errors.password = "Password not provided";
    } else if (auto problem = ctx.app.policy.check(in.password)) {
        errors.password = *problem;
    }
    if (!in.has_password_confirm || in.password_confirm.empty()) {
        errors.confirm = "Password not provided";
    } else if (in.password_confirm != in.password) {
        errors.confirm = "Passwords do not match";
    }
    const int failure_status = ctx.req.wants_json() ? 400 : 200;
    if (errors.any()) return register_refused(ctx, in, errors, failure_status);

    // Hash before looking at the database, so a taken email costs the same time.
    const std::string hash = ctx.app.hasher->hash(in.password);
    std::uint64_t user_id = 0;
    try {
        ctx.db.transaction([&](Database& db) {
            user_id = create_user(db, *email, hash, true);
            const std::string& role = ctx.app.config.default_role;
            if (!role.empty()) {
                if (find_role(db, role)) {
                    add_role_to_user(db, user_id, role);
                } else {
                    // The user still registers (no role is the least privilege),
                    // but the operator must hear of it.
                    log_error(ctx.request_id, "default_role \"" + role +
                                                  "\" does not exist in the database: user " +
                                                  std::to_string(user_id) +
                                                  " registered without a role; run `mfo-db seed`");
                }
            }
            audit(db, user_id, "web", "user.register", *email, ctx.req.remote_addr);
        });
    } catch (const AlreadyExists&) {
        errors.email = ctx.app.config.generic_register_errors
                           ? "This email address cannot be registered."
                           : *email + " is already associated with an account.";
        return register_refused(ctx, in, errors, failure_status);
    }

    Response response = ctx.req.wants_json()
                            ? Response{}
                            : Response::redirect(canonical_target(safe_redirect_or_home(in.next)));
    const std::string token = start_session(ctx, response, user_id, *email, false);
    if (ctx.req.wants_json()) {
        Response reply = json_reply(200, {{"csrf_token", token}, {"user", {{"email", *email}}}});
        reply.cookies = std::move(response.cookies);
        return reply;
    }
    return response;
}

}  // namespace mfo
