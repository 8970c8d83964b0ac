// The admin console: /admin (overview), /admin/users[/<id>], /admin/roles.
// Every change is a POST with the CSRF token, one transaction with its audit
// row, and takes effect on the target's next request (roles are read with
// the session on every request).

#include <ctime>
#include <nlohmann/json.hpp>

#include "auth/auth_input.hpp"
#include "auth/csrf.hpp"
#include "auth/flash_cookie.hpp"
#include "console_admins.hpp"
#include "http/form_parser.hpp"
#include "http/http_error.hpp"
#include "views/admin_console_store.hpp"
#include "views/admin_overview_cache.hpp"
#include "views/page_response.hpp"
#include "views/views.hpp"

namespace mfo {

namespace {

constexpr int kUsersPerPage = 20;
constexpr int kAuditEvents = 20;
// How old the overview may be (admin_overview_cache.hpp).
constexpr std::chrono::seconds kOverviewMaxAge{10};
const std::vector<std::string> kAdminCss = {"/admin/static/css/styles.css"};

std::string join(const std::vector<std::string>& names, const char* sep = ", ") {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : sep) + n;
    return out;
}

std::string or_never(const std::string& when) {
    return when.empty() ? "never" : when;
}

std::string utc_now() {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    return buf;
}

// 1234567 -> "1,234,567".
std::string grouped(std::uint64_t n) {
    std::string digits = std::to_string(n);
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

// An estimate to two significant digits: 98,765 -> "99,000".
std::string rounded(std::uint64_t n) {
    std::uint64_t unit = 1;
    while (n / unit >= 100) unit *= 10;
    return grouped((n + unit / 2) / unit * unit);
}

void set_events(TemplateValues& c, const std::vector<AuditEvent>& events) {
    if (events.empty()) {
        c.show_section("NO_EVENTS");
        return;
    }
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
    static OverviewCache cache(kOverviewMaxAge);
    const auto snapshot = cache.get([&] {
        OverviewSnapshot s;
        ctx.db.read([&](Database& db) {
            s.overview = console_overview(db);
            s.events = latest_audit_events(db, kAuditEvents);
        });
        s.as_of = utc_now();
        return s;
    });
    const ConsoleOverview& overview = snapshot->overview;
    TemplateValues c;
    c.set("USERS", grouped(overview.users));
    c.set("ACTIVE_USERS", grouped(overview.active_users));
    const SessionCount& sessions = overview.sessions;
    if (sessions.exact) {
        c.set("LIVE_SESSIONS", grouped(sessions.live));
    } else {
        c.set("LIVE_SESSIONS", "≈ " + rounded(sessions.live));
        auto& note = c.add_section("SESSIONS_ESTIMATED");
        note.set("SAMPLED", grouped(sessions.sampled));
        note.set("STORED", rounded(sessions.stored));
    }
    c.set("AS_OF", snapshot->as_of);
    c.set("MAX_AGE", std::to_string(kOverviewMaxAge.count()));
    for (const auto& role : overview.roles) {
        auto& row = c.add_section("ROLE");
        row.set("NAME", role.name);
        row.set("DESCRIPTION", role.description);
        row.set("PERMISSIONS", join(role.permissions));
        row.set("MEMBERS", grouped(role.members));
    }
    set_events(c, snapshot->events);
    return render_page(ctx, PageSpec{"Admin", "admin/index.tpl", kAdminCss}, c);
}

Response admin_users_page(RequestContext& ctx) {
    UserListQuery q;
    q.prefix = ctx.req.query.get_or("q");
    q.after = ctx.req.query.get_or("after");
    q.before = ctx.req.query.get_or("before");
    q.limit = kUsersPerPage;
    if (q.prefix.size() > 254) throw HttpError(400, "The search text is too long.");
    if (q.after.size() > 254 || q.before.size() > 254) throw HttpError(400, "Invalid page.");
    if (!q.after.empty() && !q.before.empty()) throw HttpError(400, "Invalid page.");

    UserPage found;
    ctx.db.read([&](Database& db) { found = find_users(db, q); });
    TemplateValues c;
    c.set("SEARCH", q.prefix);
    const std::string count = grouped(found.matches) + (found.matches_capped ? "+" : "");
    const std::string noun = found.matches == 1 && !found.matches_capped ? " user" : " users";
    c.set("SUMMARY", q.prefix.empty() ? count + noun + ", by email"
                                      : count + noun + " whose email starts with \"" + q.prefix +
                                            "\", by email");
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
    const std::string first_page =
        "/admin/users" + (q.prefix.empty() ? "" : "?q=" + percent_encode(q.prefix));
    const std::string page_base = first_page + (q.prefix.empty() ? "?" : "&");
    if (found.has_prev) {
        c.add_section("PREV").set(
            "HREF", found.users.empty()
                        ? first_page
                        : page_base + "before=" + percent_encode(found.users.front().email));
    }
    if (found.has_next && !found.users.empty()) {
        c.add_section("NEXT").set("HREF",
                                  page_base + "after=" + percent_encode(found.users.back().email));
    }
    if (!q.after.empty() || !q.before.empty()) c.add_section("FIRST").set("HREF", first_page);
    return render_page(ctx, PageSpec{"Users", "admin/users.tpl", kAdminCss}, c);
}

Response admin_user_page(RequestContext& ctx) {
    const std::uint64_t id = user_id_param(ctx.params["id"]);
    std::optional<UserRecord> user;
    std::vector<RoleRecord> roles;
    std::vector<SessionSummary> sessions;
    std::vector<AuditEvent> events;
    ctx.db.read([&](Database& db) {
        user = find_user_by_id(db, id);
        if (!user) return;
        roles = console_roles(db);
        sessions = live_sessions_of(db, id);
        events = audit_events_of(db, id, user->email, kAuditEvents);
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
    c.set("SESSION_SCAN", std::to_string(kSessionScan));
    set_events(c, events);
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
    ctx.db.read([&](Database& db) { roles = console_roles(db); });
    Response response;
    TemplateValues c;
    c.set("CSRF_TOKEN", csrf_token_for(ctx, response));
    for (const auto& role : roles) {
        auto& row = c.add_section("ROLE");
        row.set("NAME", role.name);
        row.set("FIELD_ID", role.name);
        row.set("DESCRIPTION", role.description);
        row.set("PERMISSIONS", join(role.permissions, ","));
        row.set("MEMBERS", grouped(role.members) + (role.members == 1 ? " member" : " members"));
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
