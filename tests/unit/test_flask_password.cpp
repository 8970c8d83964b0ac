// Flask-Security-Too's password recipe, pinned to the test vectors of
// ../shared/reference/flask-security-too-data.md (salt "test-salt"), and NFKD.

#include <argon2.h>

#include <boost/test/unit_test.hpp>
#include <vector>

#include "crypto.hpp"
#include "flask_password.hpp"
#include "password_hasher.hpp"
#include "password_normalize.hpp"

using namespace mfo;

namespace {

const std::string kSalt = "test-salt";
const std::string kPre123 =
    "oKR5d0JuxragVvwJHia+wpJSnuCoEyYSxrrwyS7hBmxyhMzY/dLczEw0g61N9s/eubhPmLT6stNTcd4WCLWFqQ==";
// Flask-Security-Too's CLI (5.4.3) stored these for "password123".
const std::string kBcryptCli = "$2b$12$CyzAScIIHq.7yIPHnuXbjuLqN1q4JjyLFrN9TBGTxii0O3quCL.66";
const std::string kBcryptFixedSalt = "$2b$12$abcdefghijklmnopqrstuup5mb3Ouk/TY3Rru3sdCL9KuHgFixWAW";
const std::string kArgon2Cffi212 =
    "$argon2id$v=19$m=65536,t=10,p=4$MDEyMzQ1Njc4OWFiY2RlZg$"
    "wXc/c0ZwA47XguWiDfldy/nYb27mNzZO+31QAWRM6z8";
const std::string kArgon2Cffi211 =
    "$argon2id$v=19$m=102400,t=10,p=8$YUwJgbA2plTK+R9D6P1/bw$hbPZmfWsscAr3jg68q+oNA";

// mfo's defaults: the Flask hashes' costs are above 4x these.
const Argon2Params kDefaults{19456, 2, 1, 1};

std::string with_variant(std::string hash, char variant) {
    hash[2] = variant;
    return hash;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(flask_password)

BOOST_AUTO_TEST_CASE(prehash_matches_the_vectors) {
    BOOST_TEST(flask_prehash(kSalt, "password123") == kPre123);
    BOOST_TEST(
        flask_prehash(kSalt, normalize_password("p\xc3\xa4ssw\xc3\xb6rd!")) ==
        "NDewwhvTkqyWbznQ/B1Z1yulfkqaRBP8UsS5Q6QHMJaVa/ZFr9q68L6wr0YZkbIUAbHf31hZMRkAzqWuPTrSoQ==");
    BOOST_TEST(
        flask_prehash(kSalt, normalize_password("\xef\xac\x81ne-password")) ==
        "XDKVBrL3Px3WUWlE5R0/4YSWIswuCBxe2cEUu/oOZf8LAs1WL4tmIrqoQkDmtsON46FJ9fB/EbfV5/hTNw0bqA==");
    BOOST_TEST(kPre123.size() == 88u);
}

BOOST_AUTO_TEST_CASE(nfkd_decomposes_compatibility_characters) {
    BOOST_TEST(normalize_password("p\xc3\xa4ssw\xc3\xb6rd!") ==
               "\x70\x61\xcc\x88\x73\x73\x77\x6f\xcc\x88\x72\x64\x21");
    BOOST_TEST(normalize_password("\xef\xac\x81ne-password") == "fine-password");
    BOOST_TEST(normalize_password("plain ascii") == "plain ascii");
    BOOST_TEST(normalize_password("") == "");
    // Not UTF-8: returned as it is, never an error.
    BOOST_TEST(normalize_password("bad\xff\xfe") == "bad\xff\xfe");
}

BOOST_AUTO_TEST_CASE(bcrypt_vectors_verify_the_72_byte_prefix) {
    BOOST_TEST(bcrypt_verify(kPre123, kBcryptCli));
    BOOST_TEST(bcrypt_verify(kPre123, kBcryptFixedSalt));
    // bcrypt reads 72 bytes: the first 72 match, 71 do not.
    BOOST_TEST(bcrypt_verify(kPre123.substr(0, 72), kBcryptFixedSalt));
    BOOST_TEST(!bcrypt_verify(kPre123.substr(0, 71), kBcryptFixedSalt));
    BOOST_TEST(!bcrypt_verify(flask_prehash(kSalt, "password124"), kBcryptFixedSalt));
    // $2a$ and $2y$ are the same computation for such input.
    BOOST_TEST(bcrypt_verify(kPre123, with_variant(kBcryptFixedSalt, 'a')));
    BOOST_TEST(bcrypt_verify(kPre123, with_variant(kBcryptFixedSalt, 'y')));
}

BOOST_AUTO_TEST_CASE(bcrypt_refuses_malformed_and_costly_hashes) {
    BOOST_TEST((bcrypt_cost(kBcryptCli) == 12u));
    BOOST_TEST(!bcrypt_cost(kBcryptCli.substr(0, 59)));
    BOOST_TEST(!bcrypt_cost(with_variant(kBcryptCli, 'x')));
    std::string bad_char = kBcryptCli;
    bad_char[20] = '!';
    BOOST_TEST(!bcrypt_cost(bad_char));
    std::string costly = kBcryptCli;
    costly[4] = '3';
    costly[5] = '1';
    BOOST_TEST((bcrypt_cost(costly) == 31u));
    BOOST_TEST(!bcrypt_verify(kPre123, costly));  // refused, not computed
    BOOST_TEST(!bcrypt_verify(kPre123, ""));
}

BOOST_AUTO_TEST_CASE(identifies_schemes) {
    BOOST_TEST((identify_hash(kBcryptCli) == HashScheme::bcrypt));
    BOOST_TEST((identify_hash(kArgon2Cffi211) == HashScheme::argon2id));
    BOOST_TEST((identify_hash("$pbkdf2-sha256$29000$abc$def") == HashScheme::unknown));
    BOOST_TEST((identify_hash("$argon2i$v=19$m=512,t=2,p=1$c2FsdA$aGFzaA") == HashScheme::unknown));
    BOOST_TEST((identify_hash("password123") == HashScheme::unknown));
    BOOST_TEST(std::string(scheme_name(HashScheme::bcrypt)) == "bcrypt");
}

BOOST_AUTO_TEST_CASE(hasher_accepts_flask_bcrypt_with_the_salt_only) {
    const PasswordHasher with_salt(kDefaults, kSalt);
    const PasswordCheck ok = with_salt.check("password123", kBcryptCli);
    BOOST_TEST(ok.ok);
    BOOST_TEST(ok.upgrade);
    BOOST_TEST(!with_salt.check("password124", kBcryptCli).ok);
    BOOST_TEST(!PasswordHasher(kDefaults, "other-salt").check("password123", kBcryptCli).ok);
    // No salt configured: never verifies (the start-up warning says why).
    BOOST_TEST(!PasswordHasher(kDefaults, "").check("password123", kBcryptCli).ok);
    BOOST_TEST(!PasswordHasher(kDefaults, "").check(kPre123, kBcryptCli).ok);
}

BOOST_AUTO_TEST_CASE(hasher_accepts_flask_argon2_above_the_4x_bound) {
    const PasswordHasher hasher(kDefaults, kSalt);
    // argon2-cffi 21.2+ profile (64 MiB, t=10) and 21.1's (100 MiB, t=10, p=8).
    for (const auto& stored : {kArgon2Cffi212, kArgon2Cffi211}) {
        const PasswordCheck check = hasher.check("password123", stored);
        BOOST_TEST(check.ok);
        BOOST_TEST(check.upgrade);
    }
    BOOST_TEST(!hasher.check("password124", kArgon2Cffi212).ok);
    // The raw password is not what Flask hashed.
    BOOST_TEST(!PasswordHasher(kDefaults, "").check("password123", kArgon2Cffi212).ok);
}

BOOST_AUTO_TEST_CASE(unknown_schemes_never_verify) {
    const PasswordHasher hasher(Argon2Params{1024, 1, 1, 1}, kSalt);
    BOOST_TEST(!hasher.check("password123", "password123").ok);
    BOOST_TEST(!hasher.check("", "").ok);
    BOOST_TEST(!hasher.check("password123", "$pbkdf2-sha256$29000$abc$def").ok);
}

BOOST_AUTO_TEST_CASE(mfo_hashes_are_nfkd_normalised) {
    const PasswordHasher hasher(Argon2Params{1024, 1, 1, 1}, kSalt);
    const std::string stored = hasher.hash("\xef\xac\x81ne-P\xc3\xa4ss");  // "ﬁne-Päss"
    BOOST_TEST(hasher.verify("fine-Pa\xcc\x88ss", stored));                // decomposed
    BOOST_TEST(hasher.verify("\xef\xac\x81ne-P\xc3\xa4ss", stored));
    BOOST_TEST(!hasher.check("\xef\xac\x81ne-P\xc3\xa4ss", stored).upgrade);
    BOOST_TEST(!hasher.verify("fine-Pass", stored));
}

BOOST_AUTO_TEST_CASE(hashes_made_before_nfkd_still_verify_and_are_upgraded) {
    // A hash of the raw, non-normalised password, as mfo stored it before.
    const Argon2Params params{1024, 1, 1, 1};
    const PasswordHasher hasher(params, "");
    const std::string raw = "\xef\xac\x81ne-pass";
    const std::string stored = hasher.hash("fine-pass");  // same as raw's NFKD
    BOOST_TEST(hasher.check(raw, stored).ok);
    BOOST_TEST(!hasher.check(raw, stored).upgrade);
    // Same recipe without NFKD: libargon2's own encoder of the raw bytes.
    std::vector<char> out(128);
    const std::string salt(16, 's');
    BOOST_REQUIRE_EQUAL(
        argon2_hash(1, 1024, 1, raw.data(), raw.size(), salt.data(), salt.size(), nullptr, 32,
                    out.data(), out.size(), Argon2_id, ARGON2_VERSION_13),
        ARGON2_OK);
    const PasswordCheck legacy = hasher.check(raw, out.data());
    BOOST_TEST(legacy.ok);
    BOOST_TEST(legacy.upgrade);
    BOOST_TEST(!hasher.check("fine-pass", out.data()).ok);
}

BOOST_AUTO_TEST_SUITE_END()
