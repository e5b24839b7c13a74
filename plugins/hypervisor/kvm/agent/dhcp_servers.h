// The flat network provider's DHCP on a host, as ZStack's flat provider does it: one dnsmasq per
// L3 network, in a network namespace of its own so that the L3's DHCP server address clashes
// with nothing on the host, joined to the L2 bridge by a veth. It answers only the NICs of this
// host's guests (one static lease per MAC), and its bridge port and the bridge's uplink are
// isolated from each other, so the DHCP servers of the other hosts on the same L2, which have
// the same address, never hear each other's clients.
//
// State per L3 lives in <dir>/<l3 uuid>/: dnsmasq.conf, hosts (the leases, re-read on SIGHUP),
// leases, dnsmasq.pid, dnsmasq.log.
#pragma once

#include <chrono>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include <strato/json.h>
#include <strato/result.h>

#include "host_network.h"

namespace strato::kvm {

struct DhcpNetwork {
  std::string l3Uuid;
  L2OnHost l2;  // which bridge, and which uplink to isolate from
  std::string serverIp;
  std::string netmask;
  std::string gateway;  // may be empty
  std::vector<std::string> dns;
  long long mtu = 0;  // 0: not told
};

struct DhcpLease {
  std::string mac;
  std::string ip;
  std::string hostname;  // may be empty
};

// {"l3Uuid", "l2": {...as RealizeL2}, "serverIp", "netmask", "gateway"?, "dns"?, "mtu"?}
Result<DhcpNetwork> dhcpNetworkFromJson(const Json& body);

class DhcpServers {
 public:
  // `namespacePrefix` starts every namespace name: network namespace names are machine-wide, so
  // several agents on one machine (tests) need their own.
  DhcpServers(std::filesystem::path dir, std::string namespacePrefix, bool dryRun,
              std::chrono::milliseconds timeout)
      : dir_(std::move(dir)),
        prefix_(std::move(namespacePrefix)),
        dryRun_(dryRun),
        timeout_(timeout) {}

  // The network's namespace, veth and dnsmasq exist and also serve `leases` (a lease for a MAC
  // already served replaces it). Idempotent. -> {"namespace", "commands"}
  Result<Json> serve(const DhcpNetwork& network, const std::vector<DhcpLease>& leases);
  // The MACs are served no more on the L3; what is not served is not an error.
  Status release(const std::string& l3Uuid, const std::vector<std::string>& macs);

 private:
  std::string namespaceOf(const std::string& l3Uuid) const;
  // The dnsmasq of the L3 if it runs: its pid, else 0.
  int runningDnsmasq(const std::filesystem::path& l3Dir) const;
  Status startDnsmasq(const std::string& l3Uuid, Json& ran) const;
  void stopDnsmasq(const std::filesystem::path& l3Dir) const;
  // Rewrites the hosts file and tells a running dnsmasq to read it.
  Status writeLeases(const std::filesystem::path& l3Dir,
                     const std::vector<std::string>& lines) const;

  std::filesystem::path dir_;
  std::string prefix_;
  bool dryRun_;
  std::chrono::milliseconds timeout_;
  std::mutex mutex_;  // one change at a time: they share namespaces and hosts files
};

}  // namespace strato::kvm
