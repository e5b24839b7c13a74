#include "password.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <charconv>
#include <stdexcept>
#include <vector>

namespace strato::identity {
namespace {

// Enough to make an offline search over leaked hashes costly while a login stays well under
// 50 ms on a busy node; the input is already a 128-hex digest, not a short human password.
constexpr int kIterations = 20000;
constexpr std::string_view kScheme = "pbkdf2-sha256";
constexpr std::size_t kDerivedBytes = 32;

std::string toHex(const unsigned char* data, std::size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(size * 2, '0');
  for (std::size_t i = 0; i < size; ++i) {
    out[2 * i] = kHex[data[i] >> 4];
    out[2 * i + 1] = kHex[data[i] & 0xf];
  }
  return out;
}

std::string pbkdf2Hex(std::string_view salt, std::string_view received, int iterations) {
  unsigned char out[kDerivedBytes];
  if (PKCS5_PBKDF2_HMAC(received.data(), static_cast<int>(received.size()),
                        reinterpret_cast<const unsigned char*>(salt.data()),
                        static_cast<int>(salt.size()), iterations, EVP_sha256(), sizeof out,
                        out) != 1) {
    throw std::runtime_error("PBKDF2 failed");
  }
  return toHex(out, sizeof out);
}

}  // namespace

std::string sha512Hex(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(text.data(), text.size(), digest, &size, EVP_sha512(), nullptr) != 1) {
    throw std::runtime_error("SHA-512 failed");
  }
  return toHex(digest, size);
}

std::string newSalt() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("no random bytes for a salt");
  return toHex(bytes, sizeof bytes);
}

std::string hashPassword(std::string_view salt, std::string_view received) {
  return std::string(kScheme) + "$" + std::to_string(kIterations) + "$" +
         pbkdf2Hex(salt, received, kIterations);
}

bool verifyPassword(std::string_view storedHash, std::string_view salt, std::string_view received) {
  // "<scheme>$<iterations>$<hex>"
  auto first = storedHash.find('$');
  auto second = first == std::string_view::npos ? first : storedHash.find('$', first + 1);
  if (second == std::string_view::npos || storedHash.substr(0, first) != kScheme) return false;
  auto digits = storedHash.substr(first + 1, second - first - 1);
  int iterations = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), iterations);
  if (ec != std::errc() || end != digits.data() + digits.size() || iterations < 1) return false;
  std::string expected(storedHash.substr(second + 1));
  std::string actual = pbkdf2Hex(salt, received, iterations);
  return expected.size() == actual.size() &&
         CRYPTO_memcmp(expected.data(), actual.data(), actual.size()) == 0;
}

}  // namespace strato::identity
