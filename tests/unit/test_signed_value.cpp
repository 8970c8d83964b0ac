#include <boost/test/unit_test.hpp>
#include <string>

#include "auth/signed_value.hpp"
#include "crypto.hpp"

using namespace mfo;

BOOST_AUTO_TEST_SUITE(signed_value)

BOOST_AUTO_TEST_CASE(mac_is_hmac_of_purpose_and_data) {
    // Cookies signed before an upgrade must still verify after it.
    const Signer signer("secret key for the test");
    const std::string input = std::string("csrf-session") + '\0' + "nonce";
    BOOST_TEST(signer.mac("csrf-session", "nonce") ==
               crypto::base64url(crypto::hmac_sha256("secret key for the test", input)));
}

BOOST_AUTO_TEST_CASE(signs_and_verifies) {
    const Signer signer("secret key for the test");
    const std::string signed_text = signer.sign("flash", "[[\"info\",\"hi\"]]");
    BOOST_TEST(signer.verify("flash", signed_text).value_or("") == "[[\"info\",\"hi\"]]");
    BOOST_TEST(!signer.verify("pre-session", signed_text));  // other purpose
    BOOST_TEST(!Signer("another key").verify("flash", signed_text));
    std::string tampered = signed_text;
    tampered[0] = tampered[0] == 'A' ? 'B' : 'A';
    BOOST_TEST(!signer.verify("flash", tampered));
    BOOST_TEST(!signer.verify("flash", "no-dot"));
}

BOOST_AUTO_TEST_SUITE_END()
