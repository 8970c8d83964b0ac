// argon2id hashing and the password policy.

#include <argon2.h>
#include <unistd.h>

#include <atomic>
#include <boost/test/unit_test.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "password_hasher.hpp"
#include "password_policy.hpp"
#include "utf8_text.hpp"

using mfo::Argon2Params;
using mfo::PasswordHasher;
using mfo::PasswordPolicy;

namespace {

// Small parameters keep the suite fast; production uses the config's.
const Argon2Params kFast{1024, 1, 1};

PasswordHasher plain_hasher(Argon2Params params = kFast) {
    return PasswordHasher(params, "");
}

// libargon2's own encoder, with a salt of `salt_bytes` bytes.
std::string stock_hash(const std::string& pw, Argon2Params p, std::size_t salt_bytes = 16,
                       std::size_t hash_bytes = 32, std::uint32_t version = ARGON2_VERSION_13) {
    const std::string salt(salt_bytes, 's');
    std::vector<char> out(argon2_encodedlen(p.iterations, p.memory_kib, p.parallelism,
                                            static_cast<std::uint32_t>(salt_bytes),
                                            static_cast<std::uint32_t>(hash_bytes), Argon2_id));
    const int rc = argon2_hash(p.iterations, p.memory_kib, p.parallelism, pw.data(), pw.size(),
                               salt.data(), salt.size(), nullptr, hash_bytes, out.data(),
                               out.size(), Argon2_id, static_cast<argon2_version>(version));
    BOOST_REQUIRE_EQUAL(rc, ARGON2_OK);
    return out.data();
}

int stock_verify(const std::string& pw, const std::string& phc) {
    return argon2id_verify(phc.c_str(), pw.data(), pw.size());
}

// A password of `n` code points made of `unit` repeated.
std::string repeat(const std::string& unit, std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) out += unit;
    return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(argon2id)

// PHC strings made by other implementations, so that hashes made elsewhere
// (a migration from the Flask app, another tool) verify here:
//   echo -n PW | argon2 saltsaltsalt -id -t 2 -m 10 -p 1 -e   (Debian's argon2 CLI)
//   argon2.low_level.hash_secret(...)                            (python3-argon2)
BOOST_AUTO_TEST_CASE(verifies_hashes_made_by_other_implementations) {
    const auto hasher = plain_hasher();
    BOOST_TEST(hasher.verify("correct horse",
                             "$argon2id$v=19$m=1024,t=2,p=1$c2FsdHNhbHRzYWx0$"
                             "H5rnCvoHJK5J3ADJ9mc9NL74Ow2lIMZ5zI+CyR256y0"));
    BOOST_TEST(hasher.verify("p\xC3\xA4ssw\xC3\xB6rd\xE2\x9C\x93",
                             "$argon2id$v=19$m=1024,t=2,p=1$c2FsdHNhbHRzYWx0$+cz8fE1TlAIBPm/"
                             "ToUhidxNVREbWEQbifdwSKvL5jcc"));
    BOOST_TEST(hasher.verify("pw",
                             "$argon2id$v=19$m=256,t=1,p=2$c29tZXNhbHRzYWx0$29dFnTvUOZ/"
                             "SZoloNoFcqKDsuZoFW4DcCL56y8+kAzY"));
    BOOST_TEST(hasher.verify("python-made pw",
                             "$argon2id$v=19$m=4096,t=3,p=2$MDEyMzQ1Njc4OWFiY2RlZg$"
                             "3xkWCDHAroNlod+poCYez5SzDX1ARK2yqLHgn8PIJLU"));
}

BOOST_AUTO_TEST_CASE(wrong_password_fails_against_foreign_hash) {
    const auto hasher = plain_hasher();
    const std::string phc =
        "$argon2id$v=19$m=1024,t=2,p=1$c2FsdHNhbHRzYWx0$H5rnCvoHJK5J3ADJ9mc9NL74Ow2lIMZ5zI+"
        "CyR256y0";
    BOOST_TEST(!hasher.verify("correct horsE", phc));
    BOOST_TEST(!hasher.verify("", phc));
    BOOST_TEST(!hasher.verify("correct horse ", phc));
}

BOOST_AUTO_TEST_CASE(round_trip_and_wrong_password) {
    const auto hasher = plain_hasher();
    const std::string phc = hasher.hash("goodpass1");
    BOOST_TEST(phc.rfind("$argon2id$v=19$m=1024,t=1,p=1$", 0) == 0u);
    BOOST_TEST(hasher.verify("goodpass1", phc));
    BOOST_TEST(!hasher.verify("goodpass2", phc));
    BOOST_TEST(!hasher.verify("Goodpass1", phc));
    BOOST_TEST(hasher.hash("goodpass1") != phc, "the salt must make every hash different");
}

BOOST_AUTO_TEST_CASE(non_ascii_passwords_round_trip) {
    const auto hasher = plain_hasher();
    for (const std::string pw : {"p\xC3\xA4ssw\xC3\xB6rd\xE2\x9C\x93",  // pässwörd✓
                                 "\xE5\xAF\x86\xE7\xA0\x81\xE5\xAF\x86\xE7\xA0\x81\xE5\xAF\x86"
                                 "\xE7\xA0\x81\xE5\xAF\x86\xE7\xA0\x81",  // 密码 x4
                                 "\xF0\x9F\x94\x91\xF0\x9F\x94\x91 emoji key"}) {
        const std::string phc = hasher.hash(pw);
        BOOST_TEST(hasher.verify(pw, phc));
        // One bit off in the last byte is another password.
        std::string other = pw;
        other.back() ^= 1;
        BOOST_TEST(!hasher.verify(other, phc));
    }
}

BOOST_AUTO_TEST_CASE(long_password_is_not_truncated) {
    const auto hasher = plain_hasher();
    const std::string pw = repeat("0123456789", 9) + "abcdefghiZ";
    BOOST_REQUIRE(pw.size() == 100u);
    std::string last_byte_differs = pw;
    last_byte_differs.back() = 'Y';

    const std::string phc = hasher.hash(pw);
    BOOST_TEST(hasher.verify(pw, phc));
    BOOST_TEST(!hasher.verify(last_byte_differs, phc));

    // And against the argon2 CLI's hash of the same 100 bytes.
    const std::string cli =
        "$argon2id$v=19$m=1024,t=2,p=1$c2FsdHNhbHRzYWx0$"
        "5Nq5ieqGRu4UV5oT4lbAWT3v8j8IzXjgQ9UzGQAFz50";
    BOOST_TEST(hasher.verify(pw, cli));
    BOOST_TEST(!hasher.verify(last_byte_differs, cli));
}

BOOST_AUTO_TEST_CASE(pepper_changes_the_hash) {
    const PasswordHasher peppered(kFast, "pepper-1");
    const PasswordHasher other_pepper(kFast, "pepper-2");
    const std::string phc = peppered.hash("goodpass1");
    BOOST_TEST(peppered.verify("goodpass1", phc));
    BOOST_TEST(!other_pepper.verify("goodpass1", phc));
    BOOST_TEST(!plain_hasher().verify("goodpass1", phc));
    // A 100-byte password with a pepper is not cut either.
    const std::string pw = repeat("x", 99) + "1";
    const std::string long_phc = peppered.hash(pw);
    BOOST_TEST(!peppered.verify(repeat("x", 99) + "2", long_phc));
}

BOOST_AUTO_TEST_CASE(malformed_and_foreign_hashes_fail) {
    const auto hasher = plain_hasher();
    BOOST_TEST(!hasher.verify("pw", ""));
    BOOST_TEST(!hasher.verify("pw", "$argon2id$garbage"));
    BOOST_TEST(!hasher.verify("pw",
                              "$argon2i$v=19$m=256,t=1,p=2$c29tZXNhbHRzYWx0$"
                              "29dFnTvUOZ/SZoloNoFcqKDsuZoFW4DcCL56y8+kAzY"));
    BOOST_TEST(
        !hasher.verify("pw", "$2b$12$abcdefghijklmnopqrstuuJ3OUnOqlxqM4e5n8Jf6h2Zl7r2QYzG6"));
}

BOOST_AUTO_TEST_CASE(stock_libargon2_verifies_our_hashes) {
    for (const Argon2Params p :
         {kFast, Argon2Params{2048, 2, 1}, Argon2Params{256, 1, 2}, Argon2Params{1024, 3, 4}}) {
        const auto hasher = plain_hasher(p);
        const std::string phc = hasher.hash("goodpass1");
        BOOST_TEST(stock_verify("goodpass1", phc) == ARGON2_OK, phc);
        BOOST_TEST(stock_verify("goodpass2", phc) == ARGON2_VERIFY_MISMATCH, phc);
        BOOST_TEST(hasher.verify("goodpass1", phc));
    }
}

BOOST_AUTO_TEST_CASE(we_verify_stock_libargon2_hashes) {
    const auto hasher = plain_hasher();
    for (const Argon2Params p : {kFast, Argon2Params{256, 1, 2}, Argon2Params{4096, 4, 3}}) {
        for (const std::size_t salt_bytes : {8u, 12u, 16u, 17u, 48u}) {
            for (const std::size_t hash_bytes : {4u, 16u, 32u, 64u}) {
                const std::string phc = stock_hash("goodpass1", p, salt_bytes, hash_bytes);
                BOOST_TEST(hasher.verify("goodpass1", phc), phc);
                BOOST_TEST(!hasher.verify("goodpass2", phc), phc);
            }
        }
    }
    // What the stock encoder makes at the configured cost is what we make.
    const std::string stock = stock_hash("goodpass1", kFast);
    BOOST_TEST(!hasher.needs_rehash(stock));
}

BOOST_AUTO_TEST_CASE(costs_beyond_four_times_the_configured_ones_are_refused) {
    const auto hasher = plain_hasher();  // m=1024, t=1
    BOOST_TEST(hasher.verify("pw", stock_hash("pw", {4096, 4, 1})));
    // Up to the Flask app's argon2 profile (100 MiB, t=10) whatever ours is.
    BOOST_TEST(hasher.verify("pw", stock_hash("pw", {4104, 10, 1})));
    BOOST_TEST(!hasher.verify("pw", stock_hash("pw", {102408, 1, 1})));
    BOOST_TEST(!hasher.verify("pw", stock_hash("pw", {1024, 11, 1})));
    // With costlier settings the 4x rule is the bound.
    const auto costly = plain_hasher({30000, 4, 1});
    BOOST_TEST(!costly.verify("pw", stock_hash("pw", {1024, 17, 1})));
    // Never allocated: 4 TiB and 2^32-1 passes.
    for (const std::string hostile : {"$argon2id$v=19$m=4294967295,t=1,p=1$c2FsdHNhbHRzYWx0$"
                                      "H5rnCvoHJK5J3ADJ9mc9NL74Ow2lIMZ5zI+CyR256y0",
                                      "$argon2id$v=19$m=1024,t=4294967295,p=1$c2FsdHNhbHRzYWx0$"
                                      "H5rnCvoHJK5J3ADJ9mc9NL74Ow2lIMZ5zI+CyR256y0",
                                      "$argon2id$v=19$m=1024,t=1,p=16777215$c2FsdHNhbHRzYWx0$"
                                      "H5rnCvoHJK5J3ADJ9mc9NL74Ow2lIMZ5zI+CyR256y0"}) {
        BOOST_TEST(!hasher.verify("pw", hostile), hostile);
    }
}

BOOST_AUTO_TEST_CASE(malformed_hashes_fail_without_throwing) {
    const auto hasher = plain_hasher();
    const std::string phc = hasher.hash("pw");
    BOOST_REQUIRE(hasher.verify("pw", phc));
    // Every truncation.
    for (std::size_t n = 0; n < phc.size(); ++n) {
        BOOST_CHECK_NO_THROW(BOOST_TEST(!hasher.verify("pw", phc.substr(0, n)), n));
    }
    const std::string rest = phc.substr(std::string("$argon2id$v=19").size());
    const std::string salt_and_hash = phc.substr(phc.find(",p=1$") + 4);
    for (const std::string& bad : std::vector<std::string>{
             "$argon2i" + phc.substr(9),           // argon2i
             "$argon2d" + phc.substr(9),           // argon2d
             "$argon2id$v=16" + rest,              // other version
             "$argon2id" + rest,                   // implied v=16
             phc + "=",                            // padding
             phc + "$",                            // extra field
             phc.substr(0, phc.size() - 1) + "!",  // not base64
             phc.substr(0, phc.size() - 1) + "-",  // base64url
             phc + "A",                            // 1 mod 4
             "$argon2id$v=19$m=1024,t=1,p=1$!!!!$" + phc.substr(phc.size() - 43),
             "$argon2id$v=19$m=1024,t=1,p=1" + salt_and_hash + std::string(1, '\0'),
             "$argon2id$v=19$m=1024,t=1,p=1,keyid=AAAA" + salt_and_hash,
             std::string(5000, '$'),
         }) {
        BOOST_CHECK_NO_THROW(BOOST_TEST(!hasher.verify("pw", bad), bad));
    }
    // A real argon2id hash of version 1.0 (v=16): libargon2 takes it, we do not.
    const std::string v16 = stock_hash("pw", kFast, 16, 32, ARGON2_VERSION_10);
    BOOST_REQUIRE(v16.rfind("$argon2id$v=16$", 0) == 0u);
    BOOST_TEST(stock_verify("pw", v16) == ARGON2_OK);
    BOOST_TEST(!hasher.verify("pw", v16));
    BOOST_CHECK_NO_THROW(hasher.dummy_verify("pw"));
}

BOOST_AUTO_TEST_CASE(bound_on_concurrent_hashes) {
    BOOST_TEST(plain_hasher().max_concurrent() ==
               static_cast<unsigned>(std::max(1L, ::sysconf(_SC_NPROCESSORS_ONLN))));
    const PasswordHasher hasher(Argon2Params{1024, 1, 1, 2}, "pepper");
    BOOST_TEST(hasher.max_concurrent() == 2u);
    const PasswordHasher copy = hasher;
    BOOST_TEST(copy.max_concurrent() == 2u);

    // 8 threads through 2 slots: every hash verifies, none is refused.
    std::atomic<int> good{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 4; ++i) {
                const std::string pw = "password-" + std::to_string(t) + "-" + std::to_string(i);
                const std::string phc = (i % 2 ? copy : hasher).hash(pw);
                if (hasher.verify(pw, phc) && !copy.verify(pw + "x", phc)) ++good;
                hasher.dummy_verify(pw);
            }
        });
    }
    for (auto& t : threads) t.join();
    BOOST_TEST(good.load() == 32);
}

BOOST_AUTO_TEST_CASE(needs_rehash_for_other_parameters) {
    const auto hasher = plain_hasher();
    BOOST_TEST(!hasher.needs_rehash(hasher.hash("goodpass1")));
    BOOST_TEST(hasher.needs_rehash(plain_hasher({2048, 1, 1}).hash("goodpass1")));
    BOOST_TEST(hasher.needs_rehash(plain_hasher({1024, 2, 1}).hash("goodpass1")));
    BOOST_TEST(hasher.needs_rehash(plain_hasher({1024, 1, 2}).hash("goodpass1")));
    BOOST_TEST(
        hasher.needs_rehash("$argon2id$v=19$m=1024,t=2,p=1$c2FsdHNhbHRzYWx0$"
                            "H5rnCvoHJK5J3ADJ9mc9NL74Ow2lIMZ5zI+CyR256y0"));
    BOOST_TEST(hasher.needs_rehash("$2b$12$abcdefghijklmnopqrstuu"));
    // The old hash still verifies, so the upgrade can happen at login.
    const auto old_phc = plain_hasher({2048, 1, 1}).hash("goodpass1");
    BOOST_TEST(hasher.verify("goodpass1", old_phc));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(password_policy)

BOOST_AUTO_TEST_CASE(length_counts_code_points_not_bytes) {
    const PasswordPolicy policy;
    // 7 two-byte characters: 14 bytes but too short.
    BOOST_TEST(policy.check(repeat("\xC3\xA4", 7)).value_or("") ==
               "Password must be at least 8 characters");
    BOOST_TEST(!policy.check(repeat("\xC3\xA4", 8)).has_value());
    // 128 three-byte characters (384 bytes) are allowed, 129 are not.
    BOOST_TEST(!policy.check(repeat("\xE2\x9C\x93", 128)).has_value());
    BOOST_TEST(policy.check(repeat("\xE2\x9C\x93", 129)).value_or("") ==
               "Password must be at most 128 characters");
}

BOOST_AUTO_TEST_CASE(ascii_limits) {
    const PasswordPolicy policy;
    BOOST_TEST(policy.check("").value_or("") == "Password not provided");
    BOOST_TEST(policy.check("abc").value_or("") == "Password must be at least 8 characters");
    BOOST_TEST(policy.check("abc1234").value_or("") == "Password must be at least 8 characters");
    BOOST_TEST(!policy.check("abc12345").has_value());
    BOOST_TEST(!policy.check(std::string(128, 'k')).has_value());
    BOOST_TEST(policy.check(std::string(129, 'k')).has_value());
}

BOOST_AUTO_TEST_CASE(invalid_utf8_is_refused) {
    const PasswordPolicy policy;
    BOOST_TEST(policy.check("abcdefgh\xFF").has_value());
    BOOST_TEST(policy.check("abcdefgh\xC3").has_value());          // cut sequence
    BOOST_TEST(policy.check("abcdefgh\xC0\xAF").has_value());      // overlong
    BOOST_TEST(policy.check("abcdefgh\xED\xA0\x80").has_value());  // surrogate
    BOOST_TEST(mfo::utf8_length("a\xC3\xA4\xE2\x9C\x93\xF0\x9F\x94\x91").value_or(0) == 4u);
}

BOOST_AUTO_TEST_CASE(common_passwords_are_refused_case_insensitively) {
    const auto path = std::filesystem::temp_directory_path() / "mfo-test-common-passwords.txt";
    {
        std::ofstream out(path);
        out << "#!comment line\npassword1\r\nabcd1234\n\nletmein99\n";
    }
    const PasswordPolicy policy(path.string());
    std::filesystem::remove(path);
    BOOST_TEST(policy.common_count() == 3u);
    BOOST_TEST(policy.check("password1").value_or("") == "This password is too common");
    BOOST_TEST(policy.check("PASSWORD1").value_or("") == "This password is too common");
    BOOST_TEST(policy.check("abcd1234").has_value());
    BOOST_TEST(!policy.check("abcd12345").has_value());
    BOOST_TEST(!policy.check("#!comment line").has_value());
}

BOOST_AUTO_TEST_CASE(missing_common_list_is_empty) {
    const PasswordPolicy policy("/nonexistent/mfo/common.txt");
    BOOST_TEST(policy.common_count() == 0u);
    BOOST_TEST(!policy.check("password1").has_value());
}

BOOST_AUTO_TEST_SUITE_END()
