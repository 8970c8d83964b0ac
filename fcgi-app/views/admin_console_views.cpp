// The admin console: /admin (overview), /admin/users[/<id>], /admin/roles.
// Every change is a POST with the CSRF token, one transaction with its audit
// row, and takes effect on the target's next request (roles are read with
// the session on every request).

#include <nlohmann/json.hpp>

#include "auth/auth_input.hpp"
#include "auth/csrf.hpp"
#include "auth/flash_cookie.hpp"
#include "console_admins.hpp"
#include "http/form_parser.hpp"
#include "http/http_error.hpp"
#include "views/admin_console_store.hpp"
#include "views/page_response.hpp"
#include "views/views.hpp"

namespace mfo {

namespace {

constexpr int kUsersPerPage = 20;
constexpr int kAuditEvents = 20;
const std::vector<std::string> kAdminCss = {"/admin/static/css/styles.css"};

std::string join(const std::vector<std::string>& names, const char* sep = ", ") {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : sep) + n;
    return out;
}

std::string or_never(const std::string& when) {
    return when.empty() ? "never" : when;
}

ConsoleActor actor_of(const RequestContext& ctx) {
    return ConsoleActor{ctx.principal.user_id, ctx.principal.email, ctx.req.remote_addr,
                        console_permissions(ctx.app.rules)};
}

// A positive decimal number of at most 18 digits, or 0.
std::uint64_t parse_id(const std::string& text) {
    if (text.empty() || text.size() > 18) return 0;
    std::uint64_t v = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return 0;
        v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return v;
}

std::uint64_t user_id_param(const std::string& text) {
    const std::uint64_t id = parse_id(text);
    if (id == 0) throw HttpError(404, "No such user.");
    return id;
}

// The CSRF token of a console form; a change without it is refused unchanged.
void require_csrf(const RequestContext& ctx) {
    std::string token = ctx.req.form.get_or("csrf_token");
    if (token.empty()) token = ctx.req.header("x-csrf-token");
    if (const CsrfCheck check = check_csrf(ctx, token); check != CsrfCheck::ok) {
        throw HttpError(400, csrf_message(check));
    }
    if (!ctx.req.body.empty() && ctx.req.content_type != "application/x-www-form-urlencoded") {
        throw HttpError(415, "Send the form as application/x-www-form-urlencoded.");
    }
}

std::vector<std::string> permission_list(const std::string& text) {
    std::vector<std::string> out;
    std::string current;
    for (char c : text + ",") {
        if (c == ',' || c == ' ') {
            if (!current.empty()) out.push_back(current);
            current.clear();
        } else {
            current += c;
        }
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

// Runs a change and answers with a redirect and a flash, or the refusal page.
Response apply_change(RequestContext& ctx, const std::string& back, const std::string& done,
                      const std::function<void()>& change) {
    require_csrf(ctx);
    try {
        change();
    } catch (const ConsoleRefusal& refusal) {
        return error_response(ctx, refusal.status(), refusal.what());
    }
    Response r = Response::redirect(back, 303);
    queue_flash(ctx, r, Flash{"success", done});
    return r;
}

}  // namespace

Response admin_page(RequestContext& ctx) {
    ConsoleOverview overview;
    std::vector<AuditEvent> events;
    ctx.db.read([&](Database& db) {
        overview = console_overview(db);
        events = latest_audit_events(db, kAuditEvents);
    });
    TemplateValues c;
    c.set("USERS", std::to_string(overview.users));
    c.set("ACTIVE_USERS", std::to_string(overview.active_users));
    c.set("LIVE_SESSIONS", std::to_string(overview.live_sessions));
    for (const auto& role : overview.roles) {
        auto& row = c.add_section("ROLE");
        row.set("NAME", role.name);
        row.set("DESCRIPTION", role.description);
        row.set("PERMISSIONS", join(role.permissions));
        row.set("MEMBERS", std::to_string(role.members));
    }
    if (events.empty()) {
        c.show_section("NO_EVENTS");
    } else {
        auto& table = c.add_section("EVENTS");
        for (const auto& e : events) {
            auto& row = table.add_section("EVENT");
            row.set("TIME", e.created_at);
            row.set("ACTOR", e.actor);
            row.set("ACTION", e.action + (e.detail.empty() ? "" : " (" + e.detail + ")"));
            row.set("TARGET", e.target);
            row.set("ADDRESS", e.ip_address);
        }
    }
    return render_page(ctx, PageSpec{"Admin", "admin/index.tpl", kAdminCss}, c);
}

Response admin_users_page(RequestContext& ctx) {
    const std::string search = ctx.req.query.get_or("q");
    if (search.size() > 254) throw HttpError(400, "The search text is too long.");
    const std::string page_text = ctx.req.query.get_or("page", "1");
    const std::uint64_t page = parse_id(page_text);
    if (page == 0 || page > 1'000'000) throw HttpError(400, "Invalid page number.");

    UserPage found;
    ctx.db.read([&](Database& db) {
        found = find_users(db, search, static_cast<int>((page - 1) * kUsersPerPage), kUsersPerPage);
    });
    TemplateValues c;
    c.set("SEARCH", search);
    const std::uint64_t first = (page - 1) * kUsersPerPage + 1;
    const std::uint64_t last = first + found.users.size() - 1;
    c.set("SUMMARY", found.users.empty()
                         ? std::to_string(found.total) + " users"
                         : "Showing " + std::to_string(first) + "–" + std::to_string(last) +
                               " of " + std::to_string(found.total) + " users");
    if (found.users.empty()) {
        c.show_section("NO_USERS");
    } else {
        auto& table = c.add_section("USERS");
        for (const auto& u : found.users) {
            auto& row = table.add_section("USER");
            row.set("ID", std::to_string(u.id));
            row.set("EMAIL", u.email);
            row.set("STATUS", u.active ? "active" : "inactive");
            row.set("ROLES", u.roles.empty() ? "—" : join(u.roles));
            row.set("CREATED", u.created_at);
            row.set("LAST_LOGIN", or_never(u.last_login_at));
        }
    }
    const std::string query = search.empty() ? "" : "q=" + percent_encode(search) + "&";
    if (page > 1) {
        c.add_section("PREV").set("HREF",
                                  "/admin/users?" + query + "page=" + std::to_string(page - 1));
    }
    if (page * kUsersPerPage < found.total) {
        c.add_section("NEXT").set("HREF",
                                  "/admin/users?" + query + "page=" + std::to_string(page + 1));
    }
    return render_page(ctx, PageSpec{"Users", "admin/users.tpl", kAdminCss}, c);
}

Response admin_user_page(RequestContext& ctx) {
    const std::uint64_t id = user_id_param(ctx.params["id"]);
    std::optional<UserRecord> user;
    std::vector<RoleRecord> roles;
    std::vector<SessionSummary> sessions;
    ctx.db.read([&](Database& db) {
        user = find_user_by_id(db, id);
        if (!user) return;
        roles = list_roles(db);
        sessions = live_sessions_of(db, id);
    });
    if (!user) throw HttpError(404, "No such user.");

    Response response;
    TemplateValues c;
    c.set("ID", std::to_string(user->id));
    c.set("EMAIL", user->email);
    c.set("STATUS", user->active ? "active" : "inactive");
    c.set("CREATED", user->created_at);
    c.set("LAST_LOGIN", or_never(user->last_login_at));
    c.set("CSRF_TOKEN", csrf_token_for(ctx, response));
    c.show_section(user->active ? "ACTIVE" : "INACTIVE");
    if (user->roles.empty()) c.show_section("NO_ROLES");
    for (const auto& r : user->roles) c.add_section("HAS_ROLE").set("ROLE", r);
    bool any_option = false;
    for (const auto& r : roles) {
        if (std::find(user->roles.begin(), user->roles.end(), r.name) != user->roles.end())
            continue;
        c.add_section("ROLE_OPTION").set("ROLE", r.name);
        any_option = true;
    }
    if (any_option) c.show_section("CAN_ADD_ROLE");
    if (sessions.empty()) {
        c.show_section("NO_SESSIONS");
    } else {
        auto& table = c.add_section("SESSIONS");
        for (const auto& s : sessions) {
            auto& row = table.add_section("SESSION");
            row.set("CREATED", s.created_at);
            row.set("LAST_SEEN", s.last_seen_at);
            row.set("ADDRESS", s.ip_address);
            row.set("AGENT", s.user_agent);
            row.set("KIND", s.remember ? "remembered" : "browser session");
        }
    }
    return render_page(ctx, PageSpec{user->email, "admin/user.tpl", kAdminCss}, c,
                       std::move(response));
}

Response admin_user_activate(RequestContext& ctx) {
    const std::uint64_t id = user_id_param(ctx.params["id"]);
    return apply_change(ctx, "/admin/users/" + std::to_string(id), "The account is active.",
                        [&] { console_set_active(ctx.db, actor_of(ctx), id, true); });
}

Response admin_user_deactivate(RequestContext& ctx) {
    const std::uint64_t id = user_id_param(ctx.params["id"]);
    return apply_change(ctx, "/admin/users/" + std::to_string(id),
                        "The account is deactivated and its sessions have ended.",
                        [&] { console_set_active(ctx.db, actor_of(ctx), id, false); });
}

Response admin_user_end_sessions(RequestContext& ctx) {
    const std::uint64_t id = user_id_param(ctx.params["id"]);
    std::uint64_t ended = 0;
    Response r = apply_change(ctx, "/admin/users/" + std::to_string(id), "",
                              [&] { ended = console_end_sessions(ctx.db, actor_of(ctx), id); });
    if (r.status == 303) {
        queue_flash(ctx, r, Flash{"success", std::to_string(ended) + " sessions ended."});
    }
    return r;
}

Response admin_roles_page(RequestContext& ctx) {
    std::vector<RoleRecord> roles;
    ctx.db.read([&](Database& db) { roles = list_roles(db); });
    Response response;
    TemplateValues c;
    c.set("CSRF_TOKEN", csrf_token_for(ctx, response));
    for (const auto& role : roles) {
        auto& row = c.add_section("ROLE");
        row.set("NAME", role.name);
        row.set("FIELD_ID", role.name);
        row.set("DESCRIPTION", role.description);
        row.set("PERMISSIONS", join(role.permissions, ","));
        row.set("MEMBERS",
                std::to_string(role.members) + (role.members == 1 ? " member" : " members"));
    }
    return render_page(ctx, PageSpec{"Roles", "admin/roles.tpl", kAdminCss}, c,
                       std::move(response));
}

Response admin_role_create(RequestContext& ctx) {
    const auto& f = ctx.req.form;
    const std::string name = f.get_or("name");
    return apply_change(ctx, "/admin/roles", "Role \"" + name + "\" created.", [&] {
        if (name.empty()) throw ConsoleRefusal(400, "A role needs a name.");
        console_create_role(ctx.db, actor_of(ctx), name, f.get_or("description"),
                            permission_list(f.get_or("permissions")));
    });
}

Response admin_role_update(RequestContext& ctx) {
    const auto& f = ctx.req.form;
    const std::string name = ctx.params["name"];
    return apply_change(ctx, "/admin/roles", "Role \"" + name + "\" saved.", [&] {
        console_update_role(ctx.db, actor_of(ctx), name, f.get_or("description"),
                            permission_list(f.get_or("permissions")));
    });
}

Response admin_role_grant(RequestContext& ctx) {
    const std::uint64_t id = user_id_param(ctx.req.form.get_or("user_id"));
    const std::string role = ctx.req.form.get_or("role");
    return apply_change(ctx, "/admin/users/" + std::to_string(id), "Role \"" + role + "\" added.",
                        [&] { console_grant_role(ctx.db, actor_of(ctx), id, role); });
}

Response admin_role_revoke(RequestContext& ctx) {
    const std::uint64_t id = user_id_param(ctx.req.form.get_or("user_id"));
    const std::string role = ctx.req.form.get_or("role");
    return apply_change(ctx, "/admin/users/" + std::to_string(id), "Role \"" + role + "\" removed.",
                        [&] { console_revoke_role(ctx.db, actor_of(ctx), id, role); });
}

}  // namespace mfo
