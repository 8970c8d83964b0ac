#include "views/page_response.hpp"

#include <nlohmann/json.hpp>

#include "auth/csrf.hpp"
#include "http/form_parser.hpp"

namespace mfo {

Response render_page(RequestContext& ctx, const PageSpec& spec, const TemplateValues& content,
                     Response response) {
    PageFrame frame;
    frame.title = spec.title;
    frame.content_template = spec.content_template;
    frame.stylesheets = spec.stylesheets;
    if (ctx.principal.authenticated() && ctx.session) {
        frame.logged_in = true;
        frame.user_email = ctx.principal.email;
        frame.csrf_token = csrf_token_for(ctx, response);
        response.no_store = true;
    } else if (ctx.req.path != "/login" && ctx.req.path != "/register" &&
               (ctx.req.method == "GET" || ctx.req.method == "HEAD") && ctx.req.path != "/") {
        frame.next_query = "?next=" + percent_encode(ctx.req.path_with_query());
    }
    frame.flashes = ctx.flashes;
    if (ctx.flash_cookie_seen) {
        response.set_cookie(SetCookie::expire(ctx.cookie_name("mfo_flash"), ctx.cookie_secure()));
        ctx.flash_cookie_seen = false;
        ctx.flashes.clear();
    }
    response.status = spec.status;
    response.body = ctx.app.renderer->render_page(frame, content);
    return response;
}

Response json_reply(int status, const nlohmann::json& body) {
    Response r;
    r.status = status;
    r.content_type = "application/json; charset=utf-8";
    r.no_store = true;
    r.body = nlohmann::json{{"meta", {{"code", status}}}, {"response", body}}.dump();
    return r;
}

Response json_error(int status, const std::string& message) {
    return json_reply(status, {{"errors", {message}}});
}

Response error_response(RequestContext& ctx, int status, const std::string& message,
                        const std::string& allow) {
    if (ctx.req.wants_json()) return json_error(status, message);
    TemplateValues content;
    std::string title;
    switch (status) {
        case 400:
            title = "Bad request";
            break;
        case 403:
            title = "Access forbidden";
            break;
        case 404:
            title = "Page not found";
            break;
        case 405:
            title = "Method not allowed";
            break;
        case 409:
            title = "Not possible";
            break;
        case 413:
            title = "Request too large";
            break;
        case 429:
            title = "Too many requests";
            break;
        case 503:
            title = "Service unavailable";
            break;
        default:
            status = 500;
            title = "Something went wrong";
            break;
    }
    content.set("MESSAGE", message);
    content.set("REQUEST_ID", ctx.request_id);
    content.set("METHOD", ctx.req.method);
    content.set("ALLOW", allow);
    return render_page(
        ctx, PageSpec{title, "errors/" + std::to_string(status) + ".tpl", {}, status}, content);
}

}  // namespace mfo
