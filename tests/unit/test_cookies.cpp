#include <boost/test/unit_test.hpp>

#include "http/cookies.hpp"

using namespace mfo;

BOOST_AUTO_TEST_SUITE(cookies)

BOOST_AUTO_TEST_CASE(parses_pairs_and_skips_garbage) {
    auto c = parse_cookie_header("a=1; b=\"two\";bad; =x; c=3=4; mfo_session=abc; a=1");
    BOOST_TEST(c.at("a") == "1");
    BOOST_TEST(c.at("b") == "two");
    BOOST_TEST(c.at("c") == "3=4");
    BOOST_TEST(c.at("mfo_session") == "abc");
    BOOST_TEST(c.count("bad") == 0u);
    BOOST_TEST(c.count("") == 0u);
}

// Cookie tossing: a sibling subdomain sets a cookie of the same name for the
// parent domain (or a longer path, to be sent first). Neither copy is used.
BOOST_AUTO_TEST_CASE(a_name_sent_twice_with_different_values_is_dropped) {
    auto c = parse_cookie_header("mfo_session=attacker; x=1; mfo_session=ours; mfo_csrf=t");
    BOOST_TEST(c.count("mfo_session") == 0u);
    BOOST_TEST(c.at("x") == "1");
    BOOST_TEST(c.at("mfo_csrf") == "t");
    auto three = parse_cookie_header("a=1; a=1; a=2; a=1");
    BOOST_TEST(three.count("a") == 0u);
    // The same value twice is no conflict.
    BOOST_TEST(parse_cookie_header("a=1; a=\"1\"").at("a") == "1");
}

BOOST_AUTO_TEST_CASE(refuses_values_with_forbidden_characters) {
    auto c = parse_cookie_header("a=x y; b=\"q\"q\"; d=ok");
    BOOST_TEST(c.count("a") == 0u);
    BOOST_TEST(c.at("d") == "ok");
    BOOST_TEST(parse_cookie_header("").empty());
    BOOST_TEST(parse_cookie_header(";;;").empty());
}

BOOST_AUTO_TEST_CASE(set_cookie_attributes) {
    SetCookie s;
    s.name = "mfo_session";
    s.value = "tok";
    BOOST_TEST(s.header_value() == "mfo_session=tok; Path=/; HttpOnly; SameSite=Lax");
    s.secure = true;
    s.max_age = 60;
    BOOST_TEST(s.header_value() ==
               "mfo_session=tok; Path=/; Max-Age=60; HttpOnly; Secure; SameSite=Lax");
    BOOST_TEST(SetCookie::expire("x", false).header_value() ==
               "x=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
}

BOOST_AUTO_TEST_SUITE_END()
