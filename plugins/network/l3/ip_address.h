// IP address arithmetic for IPAM. Addresses are kept as text (what the API shows) next to a
// numeric key that orders them and indexes them (ipInLong). Only IPv4 is parsed today; the
// tables carry ipVersion so IPv6 ranges can arrive with a 128-bit key of their own.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace strato::l3 {

// Dotted quad -> 0..2^32-1; nullopt for anything else (no leading zeros tricks, no spaces).
inline std::optional<std::int64_t> parseIpv4(std::string_view text) {
  std::int64_t value = 0;
  int parts = 0;
  std::size_t i = 0;
  while (parts < 4) {
    if (i >= text.size() || text[i] < '0' || text[i] > '9') return std::nullopt;
    std::int64_t part = 0;
    std::size_t digits = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      part = part * 10 + (text[i] - '0');
      if (++digits > 3) return std::nullopt;
      ++i;
    }
    if (part > 255 || (digits > 1 && text[i - digits] == '0')) return std::nullopt;
    value = value * 256 + part;
    if (++parts < 4) {
      if (i >= text.size() || text[i] != '.') return std::nullopt;
      ++i;
    }
  }
  if (i != text.size()) return std::nullopt;
  return value;
}

inline std::string formatIpv4(std::int64_t value) {
  return std::to_string((value >> 24) & 0xff) + "." + std::to_string((value >> 16) & 0xff) + "." +
         std::to_string((value >> 8) & 0xff) + "." + std::to_string(value & 0xff);
}

// Prefix length of a contiguous netmask (255.255.255.0 -> 24); nullopt if not contiguous.
inline std::optional<int> prefixOfNetmask(std::int64_t mask) {
  int prefix = 0;
  while (prefix < 32 && (mask & (std::int64_t{1} << (31 - prefix)))) ++prefix;
  std::int64_t expected = prefix == 0 ? 0 : (0xffffffffLL << (32 - prefix)) & 0xffffffffLL;
  if (mask != expected) return std::nullopt;
  return prefix;
}

inline std::int64_t netmaskOfPrefix(int prefix) {
  return prefix == 0 ? 0 : (0xffffffffLL << (32 - prefix)) & 0xffffffffLL;
}

struct Ipv4Cidr {
  std::int64_t network = 0;  // host bits zero
  int prefix = 0;
  std::int64_t first() const { return network; }
  std::int64_t last() const { return network | (~netmaskOfPrefix(prefix) & 0xffffffffLL); }
  std::string text() const { return formatIpv4(network) + "/" + std::to_string(prefix); }
};

// "a.b.c.d/n"; with `strict`, host bits must be zero.
inline std::optional<Ipv4Cidr> parseCidr(std::string_view text, bool strict) {
  auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto ip = parseIpv4(text.substr(0, slash));
  auto bits = text.substr(slash + 1);
  if (!ip || bits.empty() || bits.size() > 2) return std::nullopt;
  int prefix = 0;
  for (char c : bits) {
    if (c < '0' || c > '9') return std::nullopt;
    prefix = prefix * 10 + (c - '0');
  }
  if (prefix > 32) return std::nullopt;
  std::int64_t network = *ip & netmaskOfPrefix(prefix);
  if (strict && network != *ip) return std::nullopt;
  return Ipv4Cidr{network, prefix};
}

}  // namespace strato::l3
