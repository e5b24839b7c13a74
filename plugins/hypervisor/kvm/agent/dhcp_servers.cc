#include "dhcp_servers.h"

#include <signal.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <thread>

#include "agent_client/ipv4.h"
#include "agent_client/kvm_protocol.h"
#include "host_command.h"

namespace strato::kvm {
namespace {

namespace fs = std::filesystem;
using Commands = std::vector<std::vector<std::string>>;

constexpr const char* kInner = "dhcp0";  // the namespace's end of the veth
constexpr const char* kDnsmasq = "dnsmasq";
constexpr const char* kMetadataServer = "strato-metadata";  // also its /proc comm name

// Lower-case hex only: a uuid as the management node writes it. (Plain ASCII tests: the
// <cctype> ones are undefined for the negative chars of non-ASCII bytes.)
bool isHex(const std::string& s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// Lower-case aa:bb:cc:dd:ee:ff, or nullopt.
std::optional<std::string> macOf(std::string mac) {
  std::transform(mac.begin(), mac.end(), mac.begin(),
                 [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; });
  if (mac.size() != 17) return std::nullopt;
  for (size_t i = 0; i < mac.size(); ++i) {
    if (i % 3 == 2 ? mac[i] != ':' : !std::isxdigit(static_cast<unsigned char>(mac[i]))) {
      return std::nullopt;
    }
  }
  return mac;
}

// RFC 1123 labels; anything else is left out of the lease rather than handed to dnsmasq.
bool isHostname(const std::string& name) {
  if (name.empty() || name.size() > 253 || name.front() == '-' || name.front() == '.') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.';
  });
}

Status needIpv4(const std::string& what, const std::string& text) {
  if (parseIpv4(text)) return {};
  return makeError(ErrorCode::kInvalidArgument, what + " is not an IPv4 address", text);
}

std::vector<std::string> readLines(const fs::path& file) {
  std::vector<std::string> lines;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

Status writeFile(const fs::path& file, const std::string& text) {
  fs::path part = file;
  part += ".part";
  {
    std::ofstream out(part, std::ios::trunc);
    out << text;
    if (!out.flush()) return makeError(ErrorCode::kInternal, "cannot write " + part.string());
  }
  std::error_code ec;
  fs::rename(part, file, ec);
  if (ec) return makeError(ErrorCode::kInternal, "cannot write " + file.string(), ec.message());
  return {};
}

// The process called `name` whose pid `pidFile` holds, if it runs: its pid, else 0.
int runningProcess(const fs::path& pidFile, const std::string& name) {
  std::ifstream in(pidFile);
  int pid = 0;
  if (!(in >> pid) || pid <= 1 || ::kill(pid, 0) != 0) return 0;
  // A pid reused by something else since is not ours to signal.
  std::ifstream comm("/proc/" + std::to_string(pid) + "/comm");
  std::string running;
  return std::getline(comm, running) && running == name ? pid : 0;
}

void stopProcess(const fs::path& pidFile, const std::string& name) {
  int pid = runningProcess(pidFile, name);
  if (!pid) return;
  for (int signal : {SIGTERM, SIGKILL}) {  // killed if it does not stop within 2 s
    ::kill(pid, signal);
    for (int i = 0; i < 100 && runningProcess(pidFile, name) == pid; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (runningProcess(pidFile, name) != pid) return;
  }
}

fs::path dnsmasqPid(const fs::path& l3Dir) { return l3Dir / "dnsmasq.pid"; }
fs::path metadataPid(const fs::path& l3Dir) { return l3Dir / "metadata.pid"; }

// A hosts-file line is "mac,ip[,hostname],infinite".
std::string ipOfHostsLine(const std::string& line) {
  if (line.size() < 18) return "";
  return line.substr(18, line.find(',', 18) - 18);
}

// A hosts-file or leases-file line about `mac`: "mac,..." or "expiry mac ...".
bool mentions(const std::string& line, const std::string& mac) {
  return line.rfind(mac + ",", 0) == 0 || line.find(" " + mac + " ") != std::string::npos;
}

std::string configOf(const DhcpNetwork& n, const fs::path& l3Dir) {
  auto prefix = *prefixOfNetmask(n.netmask);
  std::uint32_t network = *parseIpv4(n.serverIp) & (prefix ? ~0u << (32 - prefix) : 0u);
  std::ostringstream c;
  // port=0: no DNS here; guests get the L3's DNS servers themselves.
  c << "interface=" << kInner << "\nbind-interfaces\nexcept-interface=lo\nport=0\nuser=root\n"
    << "dhcp-range=" << ipv4Text(network) << ",static," << n.netmask << ",infinite\n"
    << "dhcp-hostsfile=" << (l3Dir / "hosts").string() << "\n"
    << "dhcp-leasefile=" << (l3Dir / "leases").string() << "\n"
    << "pid-file=" << dnsmasqPid(l3Dir).string() << "\n"
    << "log-facility=" << (l3Dir / "dnsmasq.log").string() << "\nlog-dhcp\n";
  if (!n.gateway.empty()) c << "dhcp-option=option:router," << n.gateway << "\n";
  if (!n.dns.empty()) {
    c << "dhcp-option=option:dns-server";
    for (const auto& d : n.dns) c << "," << d;
    c << "\n";
  }
  if (!n.dnsDomain.empty()) c << "dhcp-option=option:domain-name," << n.dnsDomain << "\n";
  if (n.mtu > 0) c << "dhcp-option=option:mtu," << n.mtu << "\n";
  // Classless routes (RFC 3442): the L3's host routes and the way to the metadata server. A
  // client that takes them ignores the router option, so the default route is among them.
  if (n.userdata || !n.hostRoutes.empty()) {
    c << "dhcp-option=option:classless-static-route";
    if (n.userdata) c << "," << kMetadataAddress << "/32," << n.serverIp;
    for (const auto& r : n.hostRoutes) c << "," << r.prefix << "," << r.nextHop;
    if (!n.gateway.empty()) c << ",0.0.0.0/0," << n.gateway;
    c << "\n";
  }
  return c.str();
}

}  // namespace

Result<DhcpNetwork> dhcpNetworkFromJson(const Json& b) {
  DhcpNetwork n;
  n.l3Uuid = b.value("l3Uuid", std::string());
  if (n.l3Uuid.size() != 32 || !isHex(n.l3Uuid)) {
    return makeError(ErrorCode::kInvalidArgument, "l3Uuid is not a uuid", n.l3Uuid);
  }
  auto l2 = l2FromJson(b.value("l2", Json::object()), false);
  if (!l2) return l2.error();
  n.l2 = std::move(*l2);
  n.serverIp = b.value("serverIp", std::string());
  n.netmask = b.value("netmask", std::string());
  n.gateway = b.value("gateway", std::string());
  n.mtu = b.value("mtu", 0LL);
  if (auto st = needIpv4("serverIp", n.serverIp); !st) return st.error();
  if (!prefixOfNetmask(n.netmask)) {
    return makeError(ErrorCode::kInvalidArgument, "netmask is not an IPv4 netmask", n.netmask);
  }
  if (!n.gateway.empty()) {
    if (auto st = needIpv4("gateway", n.gateway); !st) return st.error();
  }
  for (const auto& d : b.value("dns", Json::array())) {
    std::string server = d.is_string() ? d.get<std::string>() : d.dump();
    if (auto st = needIpv4("a DNS server", server); !st) return st.error();
    n.dns.push_back(server);
  }
  n.dnsDomain = b.value("dnsDomain", std::string());
  if (!n.dnsDomain.empty() && !isHostname(n.dnsDomain)) {
    return makeError(ErrorCode::kInvalidArgument, "dnsDomain is not a domain name", n.dnsDomain);
  }
  for (const auto& r : b.value("hostRoutes", Json::array())) {
    HostRoute route{r.value("prefix", std::string()), r.value("nextHop", std::string())};
    if (!parseCidr(route.prefix)) {
      return makeError(ErrorCode::kInvalidArgument, "a host route's prefix is not a CIDR",
                       route.prefix);
    }
    if (auto st = needIpv4("a host route's next hop", route.nextHop); !st) return st.error();
    n.hostRoutes.push_back(std::move(route));
  }
  n.userdata = b.value("userdata", false);
  return n;
}

std::string DhcpServers::namespaceOf(const std::string& l3Uuid) const {
  return s_.namespacePrefix + "-dhcp-" + l3Uuid;
}

Status DhcpServers::writeLeases(const fs::path& l3Dir,
                                const std::vector<std::string>& lines) const {
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  if (auto st = writeFile(l3Dir / "hosts", text); !st) return st;
  // dnsmasq re-reads its hosts file.
  if (int pid = runningProcess(dnsmasqPid(l3Dir), kDnsmasq)) ::kill(pid, SIGHUP);
  return {};
}

Result<Json> DhcpServers::serve(const DhcpNetwork& n, const std::vector<DhcpLease>& leases) {
  std::vector<std::string> added;
  for (const auto& l : leases) {
    auto mac = macOf(l.mac);
    if (!mac) return makeError(ErrorCode::kInvalidArgument, "not a MAC address", l.mac);
    if (auto st = needIpv4("a NIC's IP", l.ip); !st) return st.error();
    std::string line = *mac + "," + l.ip;
    if (isHostname(l.hostname)) line += "," + l.hostname;
    added.push_back(line + ",infinite");
  }
  std::lock_guard lock(mutex_);
  // IPAM hands an address to one NIC at a time, so a lease of another MAC for an address given
  // out here is stale (a guest that stopped by itself, a migration that failed): it goes first,
  // or dnsmasq would keep the address for its old owner.
  if (!s_.dryRun) {
    std::vector<std::string> stale;
    for (const auto& line : readLines(s_.dir / n.l3Uuid / "hosts")) {
      std::string mac = line.substr(0, 17);
      for (const auto& l : leases) {
        if (ipOfHostsLine(line) == l.ip && mac != macOf(l.mac)) stale.push_back(mac);
      }
    }
    if (auto st = releaseLocked(n.l3Uuid, stale); !st) return st.error();
  }
  std::string ns = namespaceOf(n.l3Uuid);
  std::string outer = "dh" + n.l3Uuid.substr(0, 12);
  std::string bridge = l2Bridge(n.l2.type, n.l2.physicalInterface, n.l2.vlan, n.l2.vni);
  std::string prefix = std::to_string(*prefixOfNetmask(n.netmask));
  Commands c;
  // Dry, nothing is looked at: the full list is what a fresh host would run.
  if (s_.dryRun || !fs::exists("/run/netns/" + ns)) c.push_back({"ip", "netns", "add", ns});
  if (s_.dryRun || !interfaceExists(outer)) {
    c.push_back({"ip", "link", "add", outer, "type", "veth", "peer", "name", kInner, "netns", ns});
  }
  c.push_back({"ip", "link", "set", outer, "master", bridge});
  // Neither hears the other: the same server address answers on every host of the L2.
  c.push_back({"bridge", "link", "set", "dev", outer, "isolated", "on"});
  c.push_back({"bridge", "link", "set", "dev", uplinkOf(n.l2), "isolated", "on"});
  if (n.mtu > 0) {
    c.push_back({"ip", "link", "set", outer, "mtu", std::to_string(n.mtu)});
    c.push_back({"ip", "-n", ns, "link", "set", kInner, "mtu", std::to_string(n.mtu)});
  }
  c.push_back({"ip", "link", "set", outer, "up"});
  c.push_back({"ip", "-n", ns, "addr", "replace", n.serverIp + "/" + prefix, "dev", kInner});
  if (n.userdata) {
    c.push_back(
        {"ip", "-n", ns, "addr", "replace", std::string(kMetadataAddress) + "/32", "dev", kInner});
  }
  c.push_back({"ip", "-n", ns, "link", "set", kInner, "up"});
  c.push_back({"ip", "-n", ns, "link", "set", "lo", "up"});
  Json ran = Json::array();
  if (auto st = runCommands(c, s_.dryRun, s_.timeout, ran); !st) return st.error();

  fs::path l3Dir = s_.dir / n.l3Uuid;
  std::vector<std::string> lines;
  if (!s_.dryRun) {
    std::error_code ec;
    fs::create_directories(l3Dir, ec);
    if (ec) return makeError(ErrorCode::kInternal, "cannot make " + l3Dir.string(), ec.message());
    lines = readLines(l3Dir / "hosts");
  }
  for (const auto& line : added) {
    std::string mac = line.substr(0, 17);
    lines.erase(std::remove_if(lines.begin(), lines.end(),
                               [&](const std::string& l) { return mentions(l, mac); }),
                lines.end());
    lines.push_back(line);
  }
  std::string config = configOf(n, l3Dir);
  fs::path configFile = l3Dir / "dnsmasq.conf";
  if (!s_.dryRun) {
    std::ifstream old(configFile);
    std::string before((std::istreambuf_iterator<char>(old)), std::istreambuf_iterator<char>());
    // New DNS servers or a new gateway: only a restart makes dnsmasq read its configuration.
    if (before != config) {
      stopProcess(dnsmasqPid(l3Dir), kDnsmasq);
      if (auto st = writeFile(configFile, config); !st) return st.error();
    }
    if (auto st = writeLeases(l3Dir, lines); !st) return st.error();
  }
  if (s_.dryRun || !runningProcess(dnsmasqPid(l3Dir), kDnsmasq)) {
    if (auto st = startDnsmasq(n.l3Uuid, ran); !st) return st.error();
  }
  if (auto st = serveMetadata(n, leases, ran); !st) return st.error();
  return Json{{"namespace", ns}, {"commands", ran}, {"dryRun", s_.dryRun}};
}

Status DhcpServers::startDnsmasq(const std::string& l3Uuid, Json& ran) const {
  // dnsmasq forks into the background once it serves; a failure to start is its exit status.
  return runCommands({{"ip", "netns", "exec", namespaceOf(l3Uuid), "dnsmasq",
                       "--conf-file=" + (s_.dir / l3Uuid / "dnsmasq.conf").string()}},
                     s_.dryRun, s_.timeout, ran);
}

Status DhcpServers::serveMetadata(const DhcpNetwork& n, const std::vector<DhcpLease>& leases,
                                  Json& ran) const {
  fs::path l3Dir = s_.dir / n.l3Uuid;
  if (!n.userdata) {  // none, or no more (the service was detached)
    if (s_.dryRun) return {};
    stopProcess(metadataPid(l3Dir), kMetadataServer);
    std::error_code ec;
    fs::remove_all(l3Dir / "metadata", ec);
    return {};
  }
  if (!s_.dryRun) {
    for (const auto& l : leases) {
      if (auto st = writeGuestMetadata(l3Dir / "metadata", l.ip, l.metadata); !st) return st;
    }
    if (runningProcess(metadataPid(l3Dir), kMetadataServer)) return {};
  }
  // It goes to the background once it listens; a failure to listen is its exit status.
  return runCommands(
      {{"ip", "netns", "exec", namespaceOf(n.l3Uuid), s_.metadataServer.string(), "--root",
        (l3Dir / "metadata").string(), "--listen", std::string(kMetadataAddress) + ":80",
        "--pid-file", metadataPid(l3Dir).string(), "--daemon"}},
      s_.dryRun, s_.timeout, ran);
}

Result<Json> DhcpServers::remove(const std::string& l3Uuid) {
  if (l3Uuid.size() != 32 || !isHex(l3Uuid)) {
    return makeError(ErrorCode::kInvalidArgument, "l3Uuid is not a uuid", l3Uuid);
  }
  std::lock_guard lock(mutex_);
  fs::path l3Dir = s_.dir / l3Uuid;
  std::string ns = namespaceOf(l3Uuid);
  std::string outer = "dh" + l3Uuid.substr(0, 12);
  if (!s_.dryRun) {
    stopProcess(dnsmasqPid(l3Dir), kDnsmasq);
    stopProcess(metadataPid(l3Dir), kMetadataServer);
  }
  Commands c;
  // The host's end first: deleting it takes the namespace's end along.
  if (s_.dryRun || interfaceExists(outer)) c.push_back({"ip", "link", "del", outer});
  if (s_.dryRun || fs::exists("/run/netns/" + ns)) c.push_back({"ip", "netns", "del", ns});
  Json ran = Json::array();
  if (auto st = runCommands(c, s_.dryRun, s_.timeout, ran); !st) return st.error();
  if (!s_.dryRun) {
    std::error_code ec;
    fs::remove_all(l3Dir, ec);
    if (ec) return makeError(ErrorCode::kInternal, "cannot remove " + l3Dir.string(), ec.message());
  }
  return Json{{"commands", ran}, {"dryRun", s_.dryRun}};
}

Status DhcpServers::release(const std::string& l3Uuid, const std::vector<std::string>& macs) {
  if (s_.dryRun || l3Uuid.size() != 32 || !isHex(l3Uuid)) return {};
  std::lock_guard lock(mutex_);
  return releaseLocked(l3Uuid, macs);
}

Status DhcpServers::releaseLocked(const std::string& l3Uuid, const std::vector<std::string>& macs) {
  if (macs.empty()) return {};
  fs::path l3Dir = s_.dir / l3Uuid;
  auto hosts = readLines(l3Dir / "hosts");
  auto leases = readLines(l3Dir / "leases");
  auto before = hosts.size();
  for (const auto& given : macs) {
    auto mac = macOf(given);
    if (!mac) continue;
    auto gone = [&](const std::string& l) { return mentions(l, *mac); };
    for (const auto& line : hosts) {
      // The guest's metadata is under its address.
      if (gone(line)) removeGuestMetadata(l3Dir / "metadata", ipOfHostsLine(line));
    }
    hosts.erase(std::remove_if(hosts.begin(), hosts.end(), gone), hosts.end());
    leases.erase(std::remove_if(leases.begin(), leases.end(), gone), leases.end());
  }
  if (hosts.size() == before) return {};
  // dnsmasq keeps a released NIC's lease, and would refuse its address to the next NIC that
  // gets it; only a restart with the lease gone from its file forgets it.
  int pid = runningProcess(dnsmasqPid(l3Dir), kDnsmasq);
  stopProcess(dnsmasqPid(l3Dir), kDnsmasq);
  std::string text;
  for (const auto& l : leases) text += l + "\n";
  if (auto st = writeFile(l3Dir / "leases", text); !st) return st;
  if (auto st = writeLeases(l3Dir, hosts); !st) return st;
  if (hosts.empty()) stopProcess(metadataPid(l3Dir), kMetadataServer);
  if (!pid || hosts.empty()) return {};
  Json ran = Json::array();
  return startDnsmasq(l3Uuid, ran);
}

}  // namespace strato::kvm
