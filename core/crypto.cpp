#include "crypto.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <stdexcept>

namespace mfo::crypto {

std::string random_bytes(std::size_t n) {
    std::string out(n, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
        throw std::runtime_error("RAND_bytes failed");
    }
    return out;
}

std::string sha256(std::string_view data) {
    std::string out(SHA256_DIGEST_LENGTH, '\0');
    SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(),
           reinterpret_cast<unsigned char*>(out.data()));
    return out;
}

namespace {
std::string hmac(const EVP_MD* md, std::string_view key, std::string_view data) {
    unsigned char buf[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!HMAC(md, key.data(), static_cast<int>(key.size()),
              reinterpret_cast<const unsigned char*>(data.data()), data.size(), buf, &len)) {
        throw std::runtime_error("HMAC failed");
    }
    return std::string(reinterpret_cast<char*>(buf), len);
}
}  // namespace

std::string hmac_sha256(std::string_view key, std::string_view data) {
    return hmac(EVP_sha256(), key, data);
}

std::string hmac_sha512(std::string_view key, std::string_view data) {
    return hmac(EVP_sha512(), key, data);
}

namespace {

struct MacCtxFree {
    void operator()(EVP_MAC_CTX* ctx) const { EVP_MAC_CTX_free(ctx); }
};
using MacCtx = std::unique_ptr<EVP_MAC_CTX, MacCtxFree>;

// Fetched once: a fetch by name is a lookup in the provider store. Never
// freed, like the process-wide state OpenSSL keeps anyway.
EVP_MAC* hmac_algorithm() {
    static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr);
    if (!mac) throw std::runtime_error("EVP_MAC_fetch(HMAC) failed");
    return mac;
}

// A MAC context is mutable, so each thread keeps its own working context for
// the key it last signed with and restarts it from the key's pads (measured:
// ~8.5k instructions per HMAC, against ~12k for a copy of the template per
// call); another key costs one copy of that key's template.
struct ThreadMac {
    std::uint64_t key_id = 0;  // 0: none
    MacCtx ctx;
};
thread_local ThreadMac t_mac;

std::atomic<std::uint64_t> next_key_id{1};

}  // namespace

struct HmacSha256Key::Prepared {
    std::uint64_t id = 0;  // unique per key, unlike an address that may be reused
    MacCtx keyed;          // key and digest set, never updated: the threads' template
};

HmacSha256Key::HmacSha256Key(std::string_view key) {
    auto prepared = std::make_shared<Prepared>();
    prepared->id = next_key_id.fetch_add(1, std::memory_order_relaxed);
    prepared->keyed.reset(EVP_MAC_CTX_new(hmac_algorithm()));
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                                 OSSL_PARAM_construct_end()};
    // EVP_MAC_init reads a null key pointer as "no key", and an empty view may
    // have one; the empty key is a valid HMAC key.
    static const unsigned char empty = 0;
    const auto* bytes = key.empty() ? &empty : reinterpret_cast<const unsigned char*>(key.data());
    if (!prepared->keyed || EVP_MAC_init(prepared->keyed.get(), bytes, key.size(), params) != 1) {
        throw std::runtime_error("HMAC key setup failed");
    }
    prepared_ = std::move(prepared);
}

std::string HmacSha256Key::sign(std::string_view data) const {
    ThreadMac& mine = t_mac;
    if (mine.key_id == prepared_->id) {
        // A null key restarts from the key already set.
        if (EVP_MAC_init(mine.ctx.get(), nullptr, 0, nullptr) != 1) mine.key_id = 0;
    }
    if (mine.key_id != prepared_->id) {
        mine.key_id = 0;
        mine.ctx.reset(EVP_MAC_CTX_dup(prepared_->keyed.get()));
        if (!mine.ctx) throw std::runtime_error("EVP_MAC_CTX_dup failed");
        mine.key_id = prepared_->id;
    }
    std::string out(SHA256_DIGEST_LENGTH, '\0');
    std::size_t len = 0;
    if (EVP_MAC_update(mine.ctx.get(), reinterpret_cast<const unsigned char*>(data.data()),
                       data.size()) != 1 ||
        EVP_MAC_final(mine.ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len,
                      out.size()) != 1 ||
        len != out.size()) {
        mine.key_id = 0;  // state unknown: copy the template afresh next time
        throw std::runtime_error("HMAC failed");
    }
    return out;
}

std::string base64(std::string_view raw) {
    std::string out(4 * ((raw.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(raw.data()),
                                  static_cast<int>(raw.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

std::string base64url(std::string_view raw) {
    std::string out = base64(raw);
    while (!out.empty() && out.back() == '=') out.pop_back();
    for (char& c : out) {
        if (c == '+') c = '-';
        if (c == '/') c = '_';
    }
    return out;
}

bool base64url_decode(std::string_view text, std::string& out) {
    if (text.size() % 4 == 1) return false;
    std::string std_text;
    std_text.reserve(text.size() + 3);
    for (char c : text) {
        if (c == '-') {
            std_text.push_back('+');
        } else if (c == '_') {
            std_text.push_back('/');
        } else if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            std_text.push_back(c);
        } else {
            return false;
        }
    }
    const std::size_t pad = (4 - std_text.size() % 4) % 4;
    std_text.append(pad, '=');
    std::string buf(std_text.size() / 4 * 3, '\0');
    const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(buf.data()),
                                  reinterpret_cast<const unsigned char*>(std_text.data()),
                                  static_cast<int>(std_text.size()));
    if (n < 0) return false;
    buf.resize(static_cast<std::size_t>(n) - pad);
    out = std::move(buf);
    return true;
}

std::string hex(std::string_view raw) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(raw.size() * 2);
    for (unsigned char c : raw) {
        out.push_back(digits[c >> 4]);
        out.push_back(digits[c & 15]);
    }
    return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace mfo::crypto
