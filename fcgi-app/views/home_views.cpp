// The home page (any logged-in user) and /api/me.

#include <nlohmann/json.hpp>

#include "views/page_response.hpp"
#include "views/views.hpp"

namespace mfo {

Response home_page(RequestContext& ctx) {
    TemplateValues content;
    content.set("USER_EMAIL", ctx.principal.email);
    return render_page(ctx, PageSpec{"Home", "home/index.tpl", {"/home/static/css/styles.css"}},
                       content);
}

Response api_me(RequestContext& ctx) {
    const auto& p = ctx.principal;
    return json_reply(200, {{"user",
                             {{"id", p.user_id},
                              {"email", p.email},
                              {"roles", p.roles},
                              {"permissions", p.permissions}}}});
}

}  // namespace mfo
