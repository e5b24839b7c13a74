// IPv4 text as the KVM protocol carries it. The agent parses what it hands to iproute2 and
// dnsmasq, never passing it on as given, so no argument can smuggle in an option; the management
// node checks with the same functions what it will send, so both agree on what is valid.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace strato::kvm {

std::optional<std::uint32_t> parseIpv4(const std::string& text);  // host byte order
// "a.b.c.d/len" -> {network, prefix length}
std::optional<std::pair<std::uint32_t, int>> parseCidr(const std::string& text);
// 255.255.255.0 -> 24; a mask with holes -> nullopt.
std::optional<int> prefixOfNetmask(const std::string& netmask);
std::string ipv4Text(std::uint32_t address);
// 24 -> 0xffffff00
std::uint32_t netmaskOf(int prefix);

}  // namespace strato::kvm
