// GET/POST /logout. POST needs the session's CSRF token. GET logs out only
// when the browser says the navigation is the user's own (Sec-Fetch-Site
// "none": typed or bookmarked, or "same-origin"); a cross-site GET, or one
// without Fetch Metadata (older browsers, where a link on another site
// would otherwise log the user out), gets a page with a Log out button.

#include <nlohmann/json.hpp>

#include "auth/auth_input.hpp"
#include "auth/auth_session.hpp"
#include "auth/csrf.hpp"
#include "auth/flash_cookie.hpp"
#include "views/page_response.hpp"
#include "views/views.hpp"

namespace mfo {

namespace {

Response logged_out(RequestContext& ctx) {
    Response response;
    if (ctx.req.wants_json()) {
        end_session(ctx, response);
        Response reply = json_reply(200, nlohmann::json::object());
        reply.cookies = std::move(response.cookies);
        return reply;
    }
    response = Response::redirect("/login");
    const bool had_session = ctx.session.has_value();
    end_session(ctx, response);
    if (had_session) queue_flash(ctx, response, Flash{"success", "You have been logged out."});
    return response;
}

}  // namespace

Response logout_page(RequestContext& ctx) {
    const std::string site = ctx.req.header("sec-fetch-site");
    const bool own_navigation = site == "none" || site == "same-origin";
    // HEAD must stay free of side effects.
    if (!ctx.session || (own_navigation && ctx.req.method == "GET")) {
        return logged_out(ctx);
    }
    Response response;
    TemplateValues c;
    c.set("CSRF_TOKEN", csrf_token_for(ctx, response));
    return render_page(ctx, PageSpec{"Log out", "auth/logout.tpl"}, c, std::move(response));
}

Response logout_submit(RequestContext& ctx) {
    if (ctx.session) {
        const AuthInput in = read_auth_input(ctx.req);
        if (const CsrfCheck csrf = check_csrf(ctx, in.csrf_token); csrf != CsrfCheck::ok) {
            return error_response(ctx, 400, csrf_message(csrf));
        }
    }
    return logged_out(ctx);
}

}  // namespace mfo
