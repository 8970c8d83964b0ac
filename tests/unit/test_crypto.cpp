#include <boost/test/unit_test.hpp>
#include <string>
#include <thread>
#include <vector>

#include "crypto.hpp"

using namespace mfo;

namespace {

std::string hmac_hex(const crypto::HmacSha256Key& key, std::string_view data) {
    return crypto::hex(key.sign(data));
}

// RFC 4231 section 4: HMAC-SHA256 test vectors.
struct Rfc4231Case {
    const char* name;
    std::string key;
    std::string data;
    const char* hmac_sha256;
};

std::vector<Rfc4231Case> rfc4231_cases() {
    std::string key4;
    for (char c = 1; c <= 25; ++c) key4.push_back(c);
    return {
        {"case 1", std::string(20, '\x0b'), "Hi There",
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
        {"case 2", "Jefe", "what do ya want for nothing?",
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
        {"case 3", std::string(20, '\xaa'), std::string(50, '\xdd'),
         "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
        {"case 4", key4, std::string(50, '\xcd'),
         "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
        {"case 6 (key longer than a block)", std::string(131, '\xaa'),
         "Test Using Larger Than Block-Size Key - Hash Key First",
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
        {"case 7", std::string(131, '\xaa'),
         "This is a test using a larger than block-size key and a larger than block-size data. "
         "The key needs to be hashed before being used by the HMAC algorithm.",
         "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
    };
}

}  // namespace

BOOST_AUTO_TEST_SUITE(hmac_sha256_key)

BOOST_AUTO_TEST_CASE(rfc4231_case_2) {
    const crypto::HmacSha256Key key("Jefe");
    BOOST_TEST(hmac_hex(key, "what do ya want for nothing?") ==
               "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    BOOST_TEST(key.sign("what do ya want for nothing?").size() == 32u);
}

BOOST_AUTO_TEST_CASE(rfc4231_vectors) {
    for (const auto& c : rfc4231_cases()) {
        BOOST_TEST_INFO(c.name);
        const crypto::HmacSha256Key key(c.key);
        BOOST_TEST(hmac_hex(key, c.data) == c.hmac_sha256);
        BOOST_TEST(crypto::hex(crypto::hmac_sha256(c.key, c.data)) == c.hmac_sha256);
    }
}

BOOST_AUTO_TEST_CASE(signing_again_starts_afresh) {
    // The working context is reused between calls: nothing may carry over.
    const crypto::HmacSha256Key key("Jefe");
    const std::string first = key.sign("what do ya want for nothing?");
    BOOST_TEST(key.sign("something else") == crypto::hmac_sha256("Jefe", "something else"));
    BOOST_TEST(key.sign("what do ya want for nothing?") == first);
    BOOST_TEST(key.sign("what do ya want for nothing?") == first);
}

BOOST_AUTO_TEST_CASE(equals_the_one_shot_function) {
    // Empty, short, block-sized and longer keys and data, including NUL bytes.
    std::vector<std::string> keys = {"",
                                     std::string(1, '\0'),
                                     "k",
                                     std::string(32, 'x'),
                                     std::string(64, 'y'),
                                     std::string(65, 'z'),
                                     std::string(200, '\xff')};
    std::vector<std::string> inputs;
    for (std::size_t n : {0, 1, 31, 55, 56, 63, 64, 65, 119, 128, 1000}) {
        std::string s;
        for (std::size_t i = 0; i < n; ++i) s.push_back(static_cast<char>(i * 7 + 3));
        inputs.push_back(s);
    }
    for (const auto& k : keys) {
        const crypto::HmacSha256Key key(k);
        for (const auto& in : inputs) {
            BOOST_TEST_INFO("key " << k.size() << " bytes, data " << in.size() << " bytes");
            BOOST_TEST(key.sign(in) == crypto::hmac_sha256(k, in));
        }
    }
    const crypto::HmacSha256Key empty{std::string_view()};  // no data pointer at all
    BOOST_TEST(empty.sign(std::string_view()) == crypto::hmac_sha256("", ""));
    BOOST_TEST(crypto::hex(empty.sign("")) ==
               "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

BOOST_AUTO_TEST_CASE(keys_used_in_turn_and_copies) {
    const crypto::HmacSha256Key a("key a");
    const crypto::HmacSha256Key b("key b");
    const crypto::HmacSha256Key a_copy = a;
    for (int i = 0; i < 3; ++i) {
        BOOST_TEST(a.sign("data") == crypto::hmac_sha256("key a", "data"));
        BOOST_TEST(b.sign("data") == crypto::hmac_sha256("key b", "data"));
        BOOST_TEST(a_copy.sign("data") == crypto::hmac_sha256("key a", "data"));
    }
    // A key made where another one died (same address, maybe) is not confused with it.
    for (int i = 0; i < 3; ++i) {
        const std::string k = "short-lived " + std::to_string(i);
        const crypto::HmacSha256Key key(k);
        BOOST_TEST(key.sign("data") == crypto::hmac_sha256(k, "data"));
    }
}

BOOST_AUTO_TEST_CASE(one_key_signs_in_many_threads) {
    const crypto::HmacSha256Key key("shared secret key");
    std::vector<std::string> inputs;
    std::vector<std::string> expected;
    for (int i = 0; i < 50; ++i) {
        inputs.push_back("message " + std::to_string(i));
        expected.push_back(crypto::hmac_sha256("shared secret key", inputs.back()));
    }
    std::vector<int> wrong(8, 0);
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < wrong.size(); ++t) {
        threads.emplace_back([&, t] {
            for (int round = 0; round < 20; ++round) {
                for (std::size_t i = 0; i < inputs.size(); ++i) {
                    if (key.sign(inputs[i]) != expected[i]) ++wrong[t];
                }
            }
        });
    }
    for (auto& th : threads) th.join();
    for (int w : wrong) BOOST_TEST(w == 0);
}

BOOST_AUTO_TEST_SUITE_END()
