// Resource uuids as ZStack writes them: a random (v4) UUID without dashes, 32 lowercase hex.
#pragma once

#include <cctype>
#include <random>
#include <string>
#include <string_view>

namespace strato {

inline std::string newUuid() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(32, '0');
  auto a = rng(), b = rng();
  for (int i = 0; i < 16; ++i) out[i] = kHex[(a >> (4 * i)) & 0xf];
  for (int i = 0; i < 16; ++i) out[16 + i] = kHex[(b >> (4 * i)) & 0xf];
  out[12] = '4';                  // version 4
  out[16] = kHex[8 + (b & 0x3)];  // variant 10xx
  return out;
}

// 32 hex digits, either case, no dashes.
inline bool isUuid(std::string_view s) {
  if (s.size() != 32) return false;
  for (char c : s) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace strato
