#include "auth/auth_session.hpp"

#include "auth/csrf.hpp"
#include "user_store.hpp"

namespace mfo {

namespace {

// The feed (a trigger on sessions) tells every worker; this one forgets it
// at once, so the browser's next request here is refused without waiting.
void destroy_current_session(RequestContext& ctx) {
    ctx.app.sessions.destroy(ctx.db, ctx.session->id);
    if (ctx.session_cache) ctx.session_cache->evict_session(ctx.session->id);
}

}  // namespace

std::string start_session(RequestContext& ctx, Response& response, std::uint64_t user_id,
                          const std::string& email, bool remember) {
    const auto& app = ctx.app;
    if (ctx.session) destroy_current_session(ctx);
    const NewSession created = app.sessions.create(
        ctx.db, user_id, remember, ctx.req.header("user-agent"), ctx.req.remote_addr);
    // Two statements: one transaction, so a re-run (Database::write) cannot
    // count the login twice.
    ctx.db.transaction([&](Database& db) {
        record_login(db, user_id, ctx.req.remote_addr);
        audit(db, user_id, "web", "login", email, ctx.req.remote_addr);
    });

    SetCookie cookie;
    cookie.name = ctx.cookie_name(app.config.session_cookie);
    cookie.value = created.token;
    cookie.secure = ctx.cookie_secure();
    if (remember) cookie.max_age = app.sessions.cookie_max_age(true);
    response.set_cookie(std::move(cookie));
    clear_pre_session(ctx, response);
    ctx.clear_session_cookie = false;
    response.no_store = true;
    return session_csrf_token(app, created.csrf_secret);
}

void end_session(RequestContext& ctx, Response& response) {
    if (ctx.session) {
        destroy_current_session(ctx);
        ctx.db.write([&](Database& db) {
            audit(db, ctx.principal.user_id, "web", "logout", ctx.principal.email,
                  ctx.req.remote_addr);
        });
    }
    response.set_cookie(
        SetCookie::expire(ctx.cookie_name(ctx.app.config.session_cookie), ctx.cookie_secure()));
    response.no_store = true;
    ctx.session.reset();
    ctx.principal = Principal{};
}

}  // namespace mfo
