// The flat network provider's DHCP on a host, as ZStack's flat provider does it: one dnsmasq per
// L3 network, in a network namespace of its own so that the L3's DHCP server address clashes
// with nothing on the host, joined to the L2 bridge by a veth. It answers only the NICs of this
// host's guests (one static lease per MAC), and its bridge port and the bridge's uplink are
// isolated from each other, so the DHCP servers of the other hosts on the same L2, which have
// the same address, never hear each other's clients.
//
// With the flat Userdata service, the namespace also holds 169.254.169.254, where strato-metadata
// serves each guest its userdata and metadata; DHCP gives guests the route to it (option 121).
//
// State per L3 lives in <dir>/<l3 uuid>/: dnsmasq.conf, hosts (the leases, re-read on SIGHUP),
// leases, dnsmasq.pid, dnsmasq.log; metadata/<guest ip>/ and metadata.pid.
#pragma once

#include <chrono>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include <strato/json.h>
#include <strato/result.h>

#include "guest_metadata.h"
#include "host_network.h"

namespace strato::kvm {

struct HostRoute {
  std::string prefix;  // a.b.c.d/n
  std::string nextHop;
};

struct DhcpNetwork {
  std::string l3Uuid;
  L2OnHost l2;  // which bridge, and which uplink to isolate from
  std::string serverIp;
  std::string netmask;
  std::string gateway;  // may be empty
  std::vector<std::string> dns;
  std::string dnsDomain;  // may be empty
  long long mtu = 0;  // 0: not told
  std::vector<HostRoute> hostRoutes;
  bool userdata = false;  // the flat Userdata service: serve each lease's metadata
};

struct DhcpLease {
  std::string mac;
  std::string ip;
  std::string hostname;  // may be empty
  GuestMetadata metadata;  // served when the network has userdata
};

// {"l3Uuid", "l2": {...as RealizeL2}, "serverIp", "netmask", "gateway"?, "dns"?, "dnsDomain"?,
//  "mtu"?,
//  "hostRoutes"?: [{"prefix", "nextHop"}], "userdata"?: bool}
Result<DhcpNetwork> dhcpNetworkFromJson(const Json& body);

struct DhcpSettings {
  std::filesystem::path dir;
  // Starts every namespace name: network namespace names are machine-wide, so several agents on
  // one machine (tests) need their own.
  std::string namespacePrefix;
  std::filesystem::path metadataServer;  // the strato-metadata program
  bool dryRun = false;
  std::chrono::milliseconds timeout{60000};
};

class DhcpServers {
 public:
  explicit DhcpServers(DhcpSettings settings) : s_(std::move(settings)) {}

  // The network's namespace, veth and dnsmasq exist and also serve `leases` (a lease for a MAC
  // already served replaces it). Idempotent. -> {"namespace", "commands"}
  Result<Json> serve(const DhcpNetwork& network, const std::vector<DhcpLease>& leases);
  // The L3's namespace, veth, dnsmasq, metadata server and files are gone. Idempotent.
  // -> {"commands"}
  Result<Json> remove(const std::string& l3Uuid);
  // The MACs are served no more on the L3, nor their metadata; what is not served is not an
  // error.
  Status release(const std::string& l3Uuid, const std::vector<std::string>& macs);

 private:
  std::string namespaceOf(const std::string& l3Uuid) const;
  Status releaseLocked(const std::string& l3Uuid, const std::vector<std::string>& macs);
  Status startDnsmasq(const std::string& l3Uuid, Json& ran) const;
  // The leases' metadata trees and their server; neither when the network has no userdata.
  Status serveMetadata(const DhcpNetwork& n, const std::vector<DhcpLease>& leases, Json& ran) const;
  // Rewrites the hosts file and tells a running dnsmasq to read it.
  Status writeLeases(const std::filesystem::path& l3Dir,
                     const std::vector<std::string>& lines) const;

  DhcpSettings s_;
  std::mutex mutex_;  // one change at a time: they share namespaces and hosts files
};

}  // namespace strato::kvm
