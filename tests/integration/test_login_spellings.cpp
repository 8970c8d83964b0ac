// One canonical path per rate-limited route (issue 19): every spelling that
// reaches the login and register handlers ("/login/", "//login", "/login%2F")
// is counted by nginx's per-address limit, and the app sends such spellings
// to the canonical path (308) before any work.

#include <boost/test/unit_test.hpp>

#include "crypto.hpp"
#include "private_stack.hpp"
#include "test_auth_helpers.hpp"

using namespace mfo::test;
using namespace mfo::test::auth_tests;

namespace {

std::string fresh_loopback_prefix() {
    const std::string r = mfo::crypto::random_bytes(2);
    return "127." + std::to_string(100 + static_cast<unsigned char>(r[0]) % 100) + "." +
           std::to_string(static_cast<unsigned char>(r[1])) + ".";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(login_spellings)

BOOST_AUTO_TEST_CASE(non_canonical_spellings_are_redirected_before_any_work) {
    HttpClient client(shared_base_url());
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"/login/", "/login"},
        {"/login//", "/login"},
        {"/login%2F", "/login"},
        {"//login", "/login"},
        {"/./login", "/login"},
        {"/%6cogin", "/login"},
        {"/login/?next=%2Fadmin", "/login?next=%2Fadmin"},
        {"/register/", "/register"},
        {"/register%2f?next=/x", "/register?next=/x"},
    };
    for (const auto& [path, location] : cases) {
        BOOST_TEST_CONTEXT(path) {
            for (const std::string method : {"GET", "POST"}) {
                BOOST_TEST_CONTEXT(method) {
                    const HttpResponse r =
                        method == "GET" ? client.get(path)
                                        : client.post_form(path, {{"email", "a@example.com"},
                                                                  {"password", "Wrong-Pass-2026"}});
                    // Apache refuses an encoded slash itself (404, AllowEncodedSlashes Off).
                    const bool encoded_slash = lowered(path).find("%2f") != std::string::npos;
                    if (encoded_slash && r.status == 404) continue;
                    BOOST_TEST(r.status == 308);
                    BOOST_TEST(r.header("location") == location);
                    // Nothing was looked at: no CSRF cookie, no session work.
                    BOOST_TEST(r.set_cookies.empty());
                }
            }
        }
    }
    // The canonical spellings answer as before.
    BOOST_TEST(client.get("/login").status == 200);
    BOOST_TEST(client.get("/register").status == 200);
}

// Before: limit_req sat on `location = /login`, so "/login/" bypassed it
// (0 of 40 refused from one address).
BOOST_AUTO_TEST_CASE(every_spelling_counts_against_the_per_address_limit) {
    constexpr int kBurst = 3;
    PrivateStack stack({}, PrivateStack::LoginLimit{"1r/m", kBurst});
    const std::string prefix = fresh_loopback_prefix();
    int address = 0;
    for (const std::string path :
         {"/login", "/login/", "/login//", "/login%2F", "//login", "/register/", "/register"}) {
        BOOST_TEST_CONTEXT(path) {
            HttpClient c(stack.base_url());
            c.local_address = prefix + std::to_string(++address);
            int passed = 0, refused = 0;
            for (int i = 0; i < kBurst + 4; ++i) {
                const HttpResponse r = c.post_form(
                    path, {{"email", "limit@example.com"}, {"password", "Wrong-Pass-2026"}});
                if (r.status == 429) {
                    ++refused;
                } else {
                    ++passed;
                }
            }
            // 1 plus the burst pass (1r/m hardly refills during the loop).
            BOOST_TEST(passed <= kBurst + 1);
            BOOST_TEST(refused >= 2);
            // GETs are not counted.
            BOOST_TEST(c.get(path).status != 429);
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
