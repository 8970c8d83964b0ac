// Our PHC string encoder and decoder against libargon2's own.

#include <argon2.h>

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <string>
#include <vector>

#include "argon2_phc.hpp"

using mfo::Argon2idPhc;
using mfo::format_argon2id_phc;
using mfo::parse_argon2id_phc;

namespace {

const std::string kPassword = "pw";

// What argon2id_hash_encoded writes for these parameters.
std::string stock_encoded(std::uint32_t m, std::uint32_t t, std::uint32_t p,
                          const std::string& salt, std::size_t hash_bytes) {
    std::vector<char> out(argon2_encodedlen(t, m, p, static_cast<std::uint32_t>(salt.size()),
                                            static_cast<std::uint32_t>(hash_bytes), Argon2_id));
    const int rc = argon2id_hash_encoded(t, m, p, kPassword.data(), kPassword.size(), salt.data(),
                                         salt.size(), hash_bytes, out.data(), out.size());
    BOOST_REQUIRE_EQUAL(rc, ARGON2_OK);
    return out.data();
}

// Whether libargon2 decodes `phc` (a wrong or right password, not a format error).
bool stock_decodes(const std::string& phc) {
    const int rc = argon2id_verify(phc.c_str(), kPassword.data(), kPassword.size());
    return rc == ARGON2_OK || rc == ARGON2_VERIFY_MISMATCH;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(argon2_phc)

BOOST_AUTO_TEST_CASE(reads_and_writes_what_libargon2_writes) {
    struct Case {
        std::uint32_t m, t, p;
        std::string salt;
        std::size_t hash_bytes;
    };
    const std::vector<Case> cases = {
        {64, 1, 1, "saltsalt", 32},                 // shortest salt
        {1024, 2, 1, "saltsaltsalt", 32},           // 12 bytes: no padding to drop
        {256, 1, 2, "0123456789abcdef", 32},        // 16 bytes: '==' dropped
        {4096, 3, 4, std::string(17, '\xff'), 33},  // '=' dropped, high bytes
        {64, 1, 1, std::string(48, '\0'), 4},       // shortest hash
        {19456, 2, 1, "0123456789abcdef", 64},
    };
    for (const auto& c : cases) {
        const std::string stock = stock_encoded(c.m, c.t, c.p, c.salt, c.hash_bytes);
        const auto parsed = parse_argon2id_phc(stock);
        BOOST_REQUIRE_MESSAGE(parsed.has_value(), stock);
        BOOST_TEST(parsed->memory_kib == c.m);
        BOOST_TEST(parsed->iterations == c.t);
        BOOST_TEST(parsed->parallelism == c.p);
        BOOST_TEST(parsed->salt == c.salt);
        BOOST_TEST(parsed->hash.size() == c.hash_bytes);
        BOOST_TEST(format_argon2id_phc(*parsed) == stock);
    }
}

BOOST_AUTO_TEST_CASE(refuses_what_libargon2_refuses_and_other_versions) {
    const std::string salt = "$c2FsdHNhbHRzYWx0$";
    const std::string hash = "H5rnCvoHJK5J3ADJ9mc9NL74Ow2lIMZ5zI+CyR256y0";
    const std::string good = "$argon2id$v=19$m=1024,t=2,p=1" + salt + hash;
    BOOST_REQUIRE(parse_argon2id_phc(good).has_value());
    for (const std::string& bad : std::vector<std::string>{
             std::string(),
             "$argon2id$",
             "$argon2i$v=19$m=1024,t=2,p=1" + salt + hash,
             "$argon2d$v=19$m=1024,t=2,p=1" + salt + hash,
             "$argon2id$v=16$m=1024,t=2,p=1" + salt + hash,
             "$argon2id$m=1024,t=2,p=1" + salt + hash,  // no version: v=16
             "$argon2id$v=019$m=1024,t=2,p=1" + salt + hash,
             "$argon2id$v=19$m=01024,t=2,p=1" + salt + hash,  // leading zero
             "$argon2id$v=19$m=-1024,t=2,p=1" + salt + hash,
             "$argon2id$v=19$m=+1024,t=2,p=1" + salt + hash,
             "$argon2id$v=19$m= 1024,t=2,p=1" + salt + hash,
             "$argon2id$v=19$m=4294967296,t=2,p=1" + salt + hash,  // over 32 bits
             "$argon2id$v=19$m=99999999999999999999999,t=2,p=1" + salt + hash,
             "$argon2id$v=19$m=1024,t=0,p=1" + salt + hash,
             "$argon2id$v=19$m=1024,t=2,p=0" + salt + hash,
             "$argon2id$v=19$m=1024,t=2,p=129" + salt + hash,  // m < 8 p
             "$argon2id$v=19$m=7,t=2,p=1" + salt + hash,
             "$argon2id$v=19$t=2,m=1024,p=1" + salt + hash,
             "$argon2id$v=19$m=1024,t=2,p=1,data=YWJj" + salt + hash,
             "$argon2id$v=19$m=1024,t=2,p=1" + salt,
             "$argon2id$v=19$m=1024,t=2,p=1" + salt + hash + "$",
             "$argon2id$v=19$m=1024,t=2,p=1" + salt + hash + "=",  // padding
             "$argon2id$v=19$m=1024,t=2,p=1" + salt + hash + "\n",
             "$argon2id$v=19$m=1024,t=2,p=1" + salt + hash + std::string(1, '\0') + "x",
             "$argon2id$v=19$m=1024,t=2,p=1" + salt + hash.substr(0, 42) + "1",  // bits left
             "$argon2id$v=19$m=1024,t=2,p=1" + salt + hash + "AB",  // 1 mod 4 after 43 + 2
             "$argon2id$v=19$m=1024,t=2,p=1" + salt + "H5rn-voHJK5J3ADJ9mc9NL74Ow2lIMZ5zI_CyR256y0",
             "$argon2id$v=19$m=1024,t=2,p=1" + salt + "H5rn",     // 3-byte hash
             "$argon2id$v=19$m=1024,t=2,p=1$c2FsdHNhbA$" + hash,  // 7-byte salt
             "$argon2id$v=19$m=1024,t=2,p=1$$" + hash,
             "$ARGON2ID$v=19$m=1024,t=2,p=1" + salt + hash,
         }) {
        BOOST_TEST(!parse_argon2id_phc(bad).has_value(), bad);
    }
}

// Every truncation and many one-character changes of a real hash: we decode
// exactly what libargon2 decodes, except that we want v=19 and plain ASCII
// (libargon2 reads some bytes >= 0x80 as base64 digits: its table lookup
// works on a signed char; no encoder writes them).
BOOST_AUTO_TEST_CASE(agrees_with_libargon2_on_mutations) {
    const std::string base = stock_encoded(64, 1, 1, "0123456789abcde", 32);
    const std::string v19 = "$argon2id$v=19$";
    std::vector<std::string> variants;
    for (std::size_t n = 0; n < base.size(); ++n) variants.push_back(base.substr(0, n));
    for (std::size_t i = 0; i < base.size(); ++i) {
        for (const char c : std::string("$=,A0129+/-_ \x7f\x80\xff")) {
            if (c == base[i]) continue;
            std::string v = base;
            v[i] = c;
            variants.push_back(v);
        }
    }
    int decodable = 0;
    for (const auto& v : variants) {
        const bool ours = parse_argon2id_phc(v).has_value();
        const bool ascii = std::none_of(v.begin(), v.end(), [](char c) { return (c & 0x80) != 0; });
        if (v.rfind(v19, 0) == 0 && ascii) {
            BOOST_TEST(ours == stock_decodes(v), v);
        } else {
            BOOST_TEST(!ours, v);
        }
        decodable += ours ? 1 : 0;
    }
    BOOST_TEST(decodable > 0, "some changes (a digit of m or t) still decode");
}

BOOST_AUTO_TEST_SUITE_END()
