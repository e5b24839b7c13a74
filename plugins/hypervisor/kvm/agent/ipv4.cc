#include "ipv4.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include <memory>

namespace strato::kvm {
namespace {

std::uint32_t maskOf(int prefix) { return prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix); }

}  // namespace

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
  return std::pair{*address & maskOf(prefix), prefix};
}

std::optional<int> prefixOfNetmask(const std::string& netmask) {
  auto mask = parseIpv4(netmask);
  if (!mask) return std::nullopt;
  for (int prefix = 0; prefix <= 32; ++prefix) {
    if (maskOf(prefix) == *mask) return prefix;
  }
  return std::nullopt;
}

std::string ipv4Text(std::uint32_t address) {
  in_addr a{htonl(address)};
  char text[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &a, text, sizeof text);
  return text;
}

Result<std::string> localAddressIn(const std::string& cidr) {
  auto net = parseCidr(cidr);
  if (!net) return makeError(ErrorCode::kInvalidArgument, "not an IPv4 CIDR", cidr);
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return makeError(ErrorCode::kInternal, "getifaddrs failed");
  std::unique_ptr<ifaddrs, decltype(&freeifaddrs)> owned(list, freeifaddrs);
  for (auto* i = list; i; i = i->ifa_next) {
    if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET) continue;
    auto address = ntohl(reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr.s_addr);
    if ((address & maskOf(net->second)) == net->first) return ipv4Text(address);
  }
  return makeError(ErrorCode::kNotFound, "this host has no address in " + cidr,
                   "the VXLAN pool's CIDR names the network its tunnels run on");
}

}  // namespace strato::kvm
