#include <boost/test/unit_test.hpp>

#include "http/path_normalizer.hpp"

using namespace mfo;

BOOST_AUTO_TEST_SUITE(path_normalizer)

BOOST_AUTO_TEST_CASE(variants_of_admin_become_admin) {
    for (const char* raw :
         {"/admin", "//admin", "/a/../admin", "/%61dmin", "/admin/", "/admin/.", "/home/../admin",
          "/./admin", "/../admin", "///admin//", "/admin%2f", "/admin%2F", "/x/y/../../admin"}) {
        BOOST_TEST_INFO(raw);
        auto p = normalize_path(raw);
        BOOST_REQUIRE(p);
        BOOST_TEST(*p == "/admin");
    }
}

BOOST_AUTO_TEST_CASE(root_and_ordinary_paths) {
    BOOST_TEST(*normalize_path("/") == "/");
    BOOST_TEST(*normalize_path("//") == "/");
    BOOST_TEST(*normalize_path("/..") == "/");
    BOOST_TEST(*normalize_path("/api/me") == "/api/me");
    // Case and parameters are kept: /ADMIN and /admin;x are other paths (404).
    BOOST_TEST(*normalize_path("/ADMIN") == "/ADMIN");
    BOOST_TEST(*normalize_path("/admin;x") == "/admin;x");
}

BOOST_AUTO_TEST_CASE(malformed_paths_are_refused) {
    BOOST_TEST(!normalize_path(""));
    BOOST_TEST(!normalize_path("admin"));
    BOOST_TEST(!normalize_path("/%"));
    BOOST_TEST(!normalize_path("/%zz"));
    BOOST_TEST(!normalize_path("/%00admin"));
    BOOST_TEST(!normalize_path("/a%0d%0aSet-Cookie:x"));
    BOOST_TEST(!normalize_path("/%FF"));
}

BOOST_AUTO_TEST_SUITE_END()
