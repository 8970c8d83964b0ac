#include <boost/test/unit_test.hpp>

#include "auth/redirect_target.hpp"

using namespace mfo;

BOOST_AUTO_TEST_SUITE(redirect_target)

BOOST_AUTO_TEST_CASE(local_paths_are_safe) {
    for (const char* ok : {"/", "/admin", "/admin/", "/?x=1", "/a/b?c=d#e", "/%C3%A9"}) {
        BOOST_TEST_INFO(ok);
        BOOST_TEST(is_safe_redirect(ok));
    }
}

BOOST_AUTO_TEST_CASE(open_redirects_are_refused) {
    for (const char* bad :
         {"", "http://evil.example/", "https://evil.example/path", "//evil.example/",
          "///evil.example/", "/\\evil.example/", "\\/evil.example/", "\\\\evil.example/",
          "javascript:alert(1)", "JaVaScRiPt:alert(1)", "evil.example", "/\tevil", "/\nevil",
          "/ /evil", "/\x01", "/%2F/evil.example", "/%5cevil.example", "data:text/html,x",
          " /admin"}) {
        BOOST_TEST_INFO(bad);
        BOOST_TEST(!is_safe_redirect(bad));
    }
    BOOST_TEST(safe_redirect_or_home("//evil") == "/");
    BOOST_TEST(safe_redirect_or_home("/admin") == "/admin");
}

BOOST_AUTO_TEST_SUITE_END()
