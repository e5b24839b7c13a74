// IPv4 text checks for what the agent hands to iproute2 and dnsmasq: addresses are parsed, never
// passed on as given, so no argument can smuggle in an option.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <strato/result.h>

namespace strato::kvm {

std::optional<std::uint32_t> parseIpv4(const std::string& text);  // host byte order
// "a.b.c.d/len" -> {network, prefix length}
std::optional<std::pair<std::uint32_t, int>> parseCidr(const std::string& text);
// 255.255.255.0 -> 24; a mask with holes -> nullopt.
std::optional<int> prefixOfNetmask(const std::string& netmask);
std::string ipv4Text(std::uint32_t address);
// The first address of an interface of this host (its network namespace) inside `cidr`.
Result<std::string> localAddressIn(const std::string& cidr);

}  // namespace strato::kvm
