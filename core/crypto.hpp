#pragma once
// Thin wrappers over OpenSSL: randomness, digests, MACs and encodings.

#include <memory>
#include <string>
#include <string_view>

namespace mfo::crypto {

// `n` bytes from the OpenSSL CSPRNG; throws std::runtime_error if it fails.
std::string random_bytes(std::size_t n);

std::string sha256(std::string_view data);  // raw 32 bytes
std::string hmac_sha256(std::string_view key, std::string_view data);
std::string hmac_sha512(std::string_view key, std::string_view data);

// An HMAC-SHA256 key prepared once, for a key used on every request: the
// one-shot hmac_sha256 looks up the algorithm and derives the key's pads per
// call (~22k instructions); sign() reuses them (~8k). Copies share the
// prepared key. sign() is thread-safe; throws std::runtime_error on failure.
class HmacSha256Key {
  public:
    explicit HmacSha256Key(std::string_view key);
    std::string sign(std::string_view data) const;  // raw 32 bytes

  private:
    struct Prepared;
    std::shared_ptr<const Prepared> prepared_;
};

std::string base64(std::string_view raw);     // standard alphabet, padded
std::string base64url(std::string_view raw);  // URL alphabet, no padding
// Decodes unpadded base64url; false on any invalid character or length.
bool base64url_decode(std::string_view text, std::string& out);
std::string hex(std::string_view raw);

// Compares in time independent of where the inputs differ.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace mfo::crypto
