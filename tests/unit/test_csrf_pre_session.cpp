// The signed pre-login CSRF cookie carries its issue time and expires.

#include <boost/test/unit_test.hpp>

#include "auth/csrf.hpp"

using namespace mfo;

BOOST_AUTO_TEST_SUITE(csrf_pre_session)

BOOST_AUTO_TEST_CASE(a_fresh_cookie_gives_its_nonce_back) {
    const Signer signer("k1");
    const std::string nonce(16, 'n');
    const std::string cookie = sign_pre_session(signer, nonce, 1'000'000);
    BOOST_TEST(open_pre_session(signer, cookie, 1'000'000, 3600).value_or("") == nonce);
    BOOST_TEST(open_pre_session(signer, cookie, 1'003'600, 3600).value_or("") == nonce);
}

BOOST_AUTO_TEST_CASE(an_old_or_future_or_forged_cookie_is_refused) {
    const Signer signer("k1");
    const std::string nonce(16, 'n');
    const std::string cookie = sign_pre_session(signer, nonce, 1'000'000);
    BOOST_TEST(!open_pre_session(signer, cookie, 1'003'601, 3600).has_value());
    BOOST_TEST(!open_pre_session(signer, cookie, 1'000'000 - 61, 3600).has_value());
    BOOST_TEST(!open_pre_session(Signer("k2"), cookie, 1'000'000, 3600).has_value());
    // An untimed cookie of the earlier format does not pass.
    BOOST_TEST(
        !open_pre_session(signer, signer.sign("pre-session", nonce), 1'000'000, 3600).has_value());
    BOOST_TEST(!open_pre_session(signer, "", 1'000'000, 3600).has_value());
}

BOOST_AUTO_TEST_SUITE_END()
