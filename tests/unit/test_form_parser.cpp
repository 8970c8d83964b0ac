#include <boost/test/unit_test.hpp>

#include "http/form_parser.hpp"

using namespace mfo;

BOOST_AUTO_TEST_SUITE(form_parser)

BOOST_AUTO_TEST_CASE(repeated_keys_plus_and_escapes) {
    auto f = parse_urlencoded("a=1&b=two+words&a=%33&c=%C3%A9&empty=&novalue");
    BOOST_REQUIRE(f);
    BOOST_TEST(f->get_all("a") == (std::vector<std::string>{"1", "3"}));
    BOOST_TEST(*f->get("b") == "two words");
    BOOST_TEST(*f->get("c") == "\xC3\xA9");
    BOOST_TEST(*f->get("empty") == "");
    BOOST_TEST(*f->get("novalue") == "");
    BOOST_TEST(!f->get("missing"));
}

BOOST_AUTO_TEST_CASE(empty_and_stray_separators) {
    auto f = parse_urlencoded("&&a=1&&");
    BOOST_REQUIRE(f);
    BOOST_TEST(f->items().size() == 1u);
    BOOST_TEST(parse_urlencoded("")->items().empty());
}

BOOST_AUTO_TEST_CASE(malformed_escapes_are_refused) {
    BOOST_TEST(!parse_urlencoded("a=%"));
    BOOST_TEST(!parse_urlencoded("a=%4"));
    BOOST_TEST(!parse_urlencoded("a=%zz"));
    BOOST_TEST(!parse_urlencoded("%g1=x"));
}

BOOST_AUTO_TEST_CASE(invalid_utf8_is_refused) {
    BOOST_TEST(!parse_urlencoded("a=%FF"));
    BOOST_TEST(!parse_urlencoded("a=%C3"));        // truncated sequence
    BOOST_TEST(!parse_urlencoded("a=%C0%AF"));     // overlong '/'
    BOOST_TEST(!parse_urlencoded("a=%ED%A0%80"));  // surrogate
    BOOST_TEST(!parse_urlencoded("a=\xff"));       // raw invalid byte
}

BOOST_AUTO_TEST_CASE(percent_encode_round_trips) {
    const std::string s = "/admin?x=1&y=a b/\xC3\xA9";
    const std::string enc = percent_encode(s);
    BOOST_TEST(enc == "%2Fadmin%3Fx%3D1%26y%3Da%20b%2F%C3%A9");
    BOOST_TEST(*percent_decode(enc, false) == s);
}

BOOST_AUTO_TEST_SUITE_END()
