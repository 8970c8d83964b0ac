#include <boost/test/unit_test.hpp>

#include "email_address.hpp"

using mfo::normalize_email;

BOOST_AUTO_TEST_SUITE(email_address)

BOOST_AUTO_TEST_CASE(plain_addresses_are_kept) {
    BOOST_TEST(*normalize_email("admin@testmail.com") == "admin@testmail.com");
    BOOST_TEST(*normalize_email("first.last+tag@sub.example.org") ==
               "first.last+tag@sub.example.org");
    BOOST_TEST(*normalize_email("o'brien@example.ie") == "o'brien@example.ie");
    BOOST_TEST(*normalize_email("x@a-b.example") == "x@a-b.example");
}

BOOST_AUTO_TEST_CASE(surrounding_whitespace_is_trimmed) {
    BOOST_TEST(*normalize_email("  user@example.com\t\r\n") == "user@example.com");
}

BOOST_AUTO_TEST_CASE(domain_is_lower_cased_local_part_keeps_its_case) {
    BOOST_TEST(*normalize_email("Admin.User@TestMail.COM") == "Admin.User@testmail.com");
}

BOOST_AUTO_TEST_CASE(refused_shapes) {
    for (const char* bad : {"",
                            "   ",
                            "not-an-email",
                            "@example.com",
                            "user@",
                            "user@@example.com",
                            "a@b@example.com",
                            "user@localhost",
                            "user@example.",
                            "user@.example.com",
                            "user@exa..mple.com",
                            ".user@example.com",
                            "user.@example.com",
                            "us..er@example.com",
                            "us er@example.com",
                            "user@exa mple.com",
                            "user@-example.com",
                            "user@example-.com",
                            "user@exa_mple.com",
                            "\"quoted\"@example.com",
                            "user(comment)@example.com",
                            "user@[127.0.0.1]"}) {
        BOOST_TEST(!normalize_email(bad).has_value(), "accepted: \"" << bad << "\"");
    }
}

BOOST_AUTO_TEST_CASE(control_and_non_ascii_characters_are_refused) {
    BOOST_TEST(!normalize_email(std::string("us\0er@example.com", 17)).has_value());
    BOOST_TEST(!normalize_email("us\ter@example.com").has_value());
    BOOST_TEST(!normalize_email("user@exam\x7fple.com").has_value());
    BOOST_TEST(!normalize_email("j\xC3\xBCrgen@example.com").has_value());
    BOOST_TEST(!normalize_email("user@b\xC3\xBC"
                                "cher.de")
                    .has_value());
    BOOST_TEST(*normalize_email("user@xn--bcher-kva.de") == "user@xn--bcher-kva.de");
}

BOOST_AUTO_TEST_CASE(length_limits) {
    const std::string local64(64, 'a');
    BOOST_TEST(normalize_email(local64 + "@example.com").has_value());
    BOOST_TEST(!normalize_email(local64 + "a@example.com").has_value());

    const std::string label63(63, 'b');
    BOOST_TEST(normalize_email("u@" + label63 + ".com").has_value());
    BOOST_TEST(!normalize_email("u@" + label63 + "b.com").has_value());

    // 254 bytes overall: "u@" + three 63-byte labels with their dots + a last label.
    std::string domain;
    for (int i = 0; i < 3; ++i) domain += label63 + ".";
    const std::string longest = "u@" + domain + std::string(60, 'c');
    BOOST_TEST(longest.size() == 254u);
    BOOST_TEST(normalize_email(longest).has_value());
    BOOST_TEST(!normalize_email(longest + "c").has_value());
}

BOOST_AUTO_TEST_SUITE_END()
