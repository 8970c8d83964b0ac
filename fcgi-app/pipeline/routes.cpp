#include "pipeline/router.hpp"
#include "views/views.hpp"

namespace mfo {

bool test_routes_compiled() {
#ifdef MFO_TEST_ROUTES
    return true;
#else
    return false;
#endif
}

Router build_router([[maybe_unused]] bool test_routes) {
    Router router;
    router.add("/", {"GET"}, home_page);
    router.add("/admin", {"GET"}, admin_page);
    router.add("/admin/users", {"GET"}, admin_users_page);
    router.add("/admin/users/{id}", {"GET"}, admin_user_page);
    router.add("/admin/users/{id}/activate", {"POST"}, admin_user_activate);
    router.add("/admin/users/{id}/deactivate", {"POST"}, admin_user_deactivate);
    router.add("/admin/users/{id}/sessions/end", {"POST"}, admin_user_end_sessions);
    router.add("/admin/roles", {"GET"}, admin_roles_page);
    router.add("/admin/roles", {"POST"}, admin_role_create);
    router.add("/admin/roles/{name}/edit", {"POST"}, admin_role_update);
    router.add("/admin/roles/grant", {"POST"}, admin_role_grant);
    router.add("/admin/roles/revoke", {"POST"}, admin_role_revoke);
    router.add("/login", {"GET"}, login_page);
    router.add("/login", {"POST"}, login_submit);
    router.add("/register", {"GET"}, register_page);
    router.add("/register", {"POST"}, register_submit);
    router.add("/logout", {"GET"}, logout_page);
    router.add("/logout", {"POST"}, logout_submit);
    router.add("/api/me", {"GET"}, api_me);
    router.add("/healthz", {"GET"}, healthz);
    router.add("/readyz", {"GET"}, readyz);
    router.add("/status", {"GET"}, status_page);
#ifdef MFO_TEST_ROUTES
    if (test_routes) {
        router.add("/__test/throw", {"GET"}, test_throw);
        router.add("/__test/slow", {"GET"}, test_slow);
        router.add("/__test/status", {"GET", "POST"}, test_status);
    }
#endif
    return router;
}

}  // namespace mfo
