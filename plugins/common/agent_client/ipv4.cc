#include "ipv4.h"

#include <arpa/inet.h>
#include <netinet/in.h>

namespace strato::kvm {

std::uint32_t netmaskOf(int prefix) { return prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix); }

std::optional<std::uint32_t> parseIpv4(const std::string& text) {
  in_addr a{};
  if (inet_pton(AF_INET, text.c_str(), &a) != 1) return std::nullopt;
  return ntohl(a.s_addr);
}

std::optional<std::pair<std::uint32_t, int>> parseCidr(const std::string& text) {
  auto slash = text.find('/');
  if (slash == std::string::npos) return std::nullopt;
  auto address = parseIpv4(text.substr(0, slash));
  std::string len = text.substr(slash + 1);
  if (!address || len.empty() || len.size() > 2 ||
      len.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  int prefix = std::stoi(len);
  if (prefix > 32) return std::nullopt;
  return std::pair{*address & netmaskOf(prefix), prefix};
}

std::optional<int> prefixOfNetmask(const std::string& netmask) {
  auto mask = parseIpv4(netmask);
  if (!mask) return std::nullopt;
  for (int prefix = 0; prefix <= 32; ++prefix) {
    if (netmaskOf(prefix) == *mask) return prefix;
  }
  return std::nullopt;
}

std::string ipv4Text(std::uint32_t address) {
  in_addr a{htonl(address)};
  char text[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &a, text, sizeof text);
  return text;
}

}  // namespace strato::kvm
