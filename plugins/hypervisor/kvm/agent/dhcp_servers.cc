#include "dhcp_servers.h"

#include <signal.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <thread>

#include "agent_client/kvm_protocol.h"
#include "host_command.h"
#include "ipv4.h"

namespace strato::kvm {
namespace {

namespace fs = std::filesystem;
using Commands = std::vector<std::vector<std::string>>;

constexpr const char* kInner = "dhcp0";  // the namespace's end of the veth

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
    << "pid-file=" << (l3Dir / "dnsmasq.pid").string() << "\n"
    << "log-facility=" << (l3Dir / "dnsmasq.log").string() << "\nlog-dhcp\n";
  if (!n.gateway.empty()) c << "dhcp-option=option:router," << n.gateway << "\n";
  if (!n.dns.empty()) {
    c << "dhcp-option=option:dns-server";
    for (const auto& d : n.dns) c << "," << d;
    c << "\n";
  }
  if (n.mtu > 0) c << "dhcp-option=option:mtu," << n.mtu << "\n";
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
  return n;
}

std::string DhcpServers::namespaceOf(const std::string& l3Uuid) const {
  return prefix_ + "-dhcp-" + l3Uuid;
}

int DhcpServers::runningDnsmasq(const fs::path& l3Dir) const {
  std::ifstream pidFile(l3Dir / "dnsmasq.pid");
  int pid = 0;
  if (!(pidFile >> pid) || pid <= 1 || ::kill(pid, 0) != 0) return 0;
  // A pid reused by something else since is not ours to signal.
  std::ifstream comm("/proc/" + std::to_string(pid) + "/comm");
  std::string name;
  return std::getline(comm, name) && name == "dnsmasq" ? pid : 0;
}

Status DhcpServers::writeLeases(const fs::path& l3Dir,
                                const std::vector<std::string>& lines) const {
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  if (auto st = writeFile(l3Dir / "hosts", text); !st) return st;
  if (int pid = runningDnsmasq(l3Dir)) ::kill(pid, SIGHUP);  // dnsmasq re-reads its hosts file
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
  std::string ns = namespaceOf(n.l3Uuid);
  std::string outer = "dh" + n.l3Uuid.substr(0, 12);
  std::string bridge = l2Bridge(n.l2.type, n.l2.physicalInterface, n.l2.vlan, n.l2.vni);
  std::string prefix = std::to_string(*prefixOfNetmask(n.netmask));
  Commands c;
  // Dry, nothing is looked at: the full list is what a fresh host would run.
  if (dryRun_ || !fs::exists("/run/netns/" + ns)) c.push_back({"ip", "netns", "add", ns});
  if (dryRun_ || !interfaceExists(outer)) {
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
  c.push_back({"ip", "-n", ns, "link", "set", kInner, "up"});
  c.push_back({"ip", "-n", ns, "link", "set", "lo", "up"});
  Json ran = Json::array();
  if (auto st = runCommands(c, dryRun_, timeout_, ran); !st) return st.error();

  fs::path l3Dir = dir_ / n.l3Uuid;
  std::vector<std::string> lines;
  if (!dryRun_) {
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
  if (!dryRun_) {
    std::ifstream old(configFile);
    std::string before((std::istreambuf_iterator<char>(old)), std::istreambuf_iterator<char>());
    // New DNS servers or a new gateway: only a restart makes dnsmasq read its configuration.
    if (before != config) {
      stopDnsmasq(l3Dir);
      if (auto st = writeFile(configFile, config); !st) return st.error();
    }
    if (auto st = writeLeases(l3Dir, lines); !st) return st.error();
  }
  if (dryRun_ || !runningDnsmasq(l3Dir)) {
    if (auto st = startDnsmasq(n.l3Uuid, ran); !st) return st.error();
  }
  return Json{{"namespace", ns}, {"commands", ran}, {"dryRun", dryRun_}};
}

Status DhcpServers::startDnsmasq(const std::string& l3Uuid, Json& ran) const {
  // dnsmasq forks into the background once it serves; a failure to start is its exit status.
  return runCommands({{"ip", "netns", "exec", namespaceOf(l3Uuid), "dnsmasq",
                       "--conf-file=" + (dir_ / l3Uuid / "dnsmasq.conf").string()}},
                     dryRun_, timeout_, ran);
}

void DhcpServers::stopDnsmasq(const fs::path& l3Dir) const {
  int pid = runningDnsmasq(l3Dir);
  if (!pid) return;
  ::kill(pid, SIGTERM);
  for (int i = 0; i < 100 && runningDnsmasq(l3Dir) == pid; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

Status DhcpServers::release(const std::string& l3Uuid, const std::vector<std::string>& macs) {
  if (dryRun_ || l3Uuid.size() != 32 || !isHex(l3Uuid)) return {};
  std::lock_guard lock(mutex_);
  fs::path l3Dir = dir_ / l3Uuid;
  auto hosts = readLines(l3Dir / "hosts");
  auto leases = readLines(l3Dir / "leases");
  auto before = hosts.size();
  for (const auto& given : macs) {
    auto mac = macOf(given);
    if (!mac) continue;
    auto gone = [&](const std::string& l) { return mentions(l, *mac); };
    hosts.erase(std::remove_if(hosts.begin(), hosts.end(), gone), hosts.end());
    leases.erase(std::remove_if(leases.begin(), leases.end(), gone), leases.end());
  }
  if (hosts.size() == before) return {};
  // dnsmasq keeps a released NIC's lease, and would refuse its address to the next NIC that
  // gets it; only a restart with the lease gone from its file forgets it.
  int pid = runningDnsmasq(l3Dir);
  stopDnsmasq(l3Dir);
  std::string text;
  for (const auto& l : leases) text += l + "\n";
  if (auto st = writeFile(l3Dir / "leases", text); !st) return st;
  if (auto st = writeLeases(l3Dir, hosts); !st) return st;
  if (!pid || hosts.empty()) return {};
  Json ran = Json::array();
  return startDnsmasq(l3Uuid, ran);
}

}  // namespace strato::kvm
