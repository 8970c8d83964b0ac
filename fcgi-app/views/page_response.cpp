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
    // Every 4xx keeps its status (a client's mistake is never logged or
    // alerted on as a 500); statuses without a page of their own use the
    // generic client-error page. Any other 5xx is shown as a 500.
    struct ErrorPage {
        int status;
        const char* title;
        const char* page;
    };
    static constexpr ErrorPage kPages[] = {
        {400, "Bad request", "errors/400.tpl"},
        {403, "Access forbidden", "errors/403.tpl"},
        {404, "Page not found", "errors/404.tpl"},
        {405, "Method not allowed", "errors/405.tpl"},
        {409, "Not possible", "errors/409.tpl"},
        {413, "Request too large", "errors/413.tpl"},
        {415, "Unsupported form encoding", "errors/415.tpl"},
        {429, "Too many requests", "errors/429.tpl"},
        {500, "Something went wrong", "errors/500.tpl"},
        {503, "Service unavailable", "errors/503.tpl"},
    };
    if (status < 400 || (status >= 500 && status != 503)) status = 500;
    std::string title = "Request refused";
    std::string page = "errors/4xx.tpl";
    for (const auto& p : kPages) {
        if (p.status == status) {
            title = p.title;
            page = p.page;
        }
    }
    TemplateValues content;
    content.set("STATUS", std::to_string(status));
    content.set("TITLE", title);
    content.set("MESSAGE", message);
    content.set("REQUEST_ID", ctx.request_id);
    content.set("METHOD", ctx.req.method);
    content.set("ALLOW", allow);
    return render_page(ctx, PageSpec{title, page, {}, status}, content);
}

}  // namespace mfo
