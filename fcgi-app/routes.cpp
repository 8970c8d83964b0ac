#include "router.hpp"
#include "views.hpp"

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
    router.add("/login", {"GET"}, login_page);
    router.add("/login", {"POST"}, login_submit);
    router.add("/register", {"GET"}, register_page);
    router.add("/register", {"POST"}, register_submit);
    router.add("/logout", {"GET"}, logout_page);
    router.add("/logout", {"POST"}, logout_submit);
    router.add("/api/me", {"GET"}, api_me);
#ifdef MFO_TEST_ROUTES
    if (test_routes) {
        router.add("/__test/throw", {"GET"}, test_throw);
        router.add("/__test/slow", {"GET"}, test_slow);
    }
#endif
    return router;
}

}  // namespace mfo
