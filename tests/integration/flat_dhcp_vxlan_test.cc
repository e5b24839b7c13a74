// The flat network's host side for real (issue 7): two network namespaces stand in for two KVM
// hosts on one switch (a bridge in a third namespace, which the management node reaches too).
// Each host runs its own sshd and a strato-agent that really builds its networks (libvirt's test
// driver still stands in for guests). The hosts are in two clusters, and tunnel on a second
// subnet of theirs, which the VXLAN pool's CIDR picks. One VXLAN L3 network with flat DHCP is
// realized on both;
// a VM is created on each host; two more namespaces stand in for the VMs' NICs (a veth with the
// NIC's MAC on the host's bridge). They get their addresses from their host's dnsmasq, read
// their userdata from 169.254.169.254 as cloud-init would, and ping each other through the
// tunnel.
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <map>
#include <regex>

#include "integration/vm_fixture.h"
#include "support/free_port.h"
#include "support/http_client.h"
#include "support/network_namespaces.h"
#include "support/ssh_server.h"

namespace strato::test {
namespace {

// busybox udhcpc's hook: it sets the address it leased and the classless routes (option 121,
// "net via" pairs), and says which address.
constexpr const char* kDhcpScript =
    "#!/bin/sh\n"
    "case \"$1\" in bound|renew) ip addr add \"$ip/$mask\" dev \"$interface\" || exit 1\n"
    "  set -- $staticroutes\n"
    "  while [ $# -ge 2 ]; do ip route add \"$1\" via \"$2\" dev \"$interface\"; shift 2; done\n"
    "  echo \"leased $ip\";; esac\n"
    "exit 0\n";

// cloud-config as a user gives it, and its base64 for the userdata:: tag.
constexpr const char* kUserdata = "#cloud-config\nruncmd:\n - echo hello > /tmp/hello\n";
constexpr const char* kUserdataBase64 =
    "I2Nsb3VkLWNvbmZpZwpydW5jbWQ6CiAtIGVjaG8gaGVsbG8gPiAvdG1wL2hlbGxvCg==";

struct Machine {
  std::string ns, ip, vtep, hostUuid;
  std::unique_ptr<SshServer> sshd;
  std::unique_ptr<Process> agent;
  std::filesystem::path dhcpDir;
};

class FlatDhcpVxlanTest : public VmTest {
 protected:
  void SetUp() override {
    try {
      netns_ = std::make_unique<NetworkNamespaces>("sdh");
    } catch (const std::exception& e) {
      GTEST_SKIP() << e.what();
    }
    subnet_ = freeSubnet();
    tunnels_ = freeSubnet(subnet_);
    std::string sw = netns_->add("sw");
    netns_->ip({"-n", sw, "link", "add", "sw0", "type", "bridge"});
    netns_->ip({"-n", sw, "link", "set", "sw0", "up"});
    // The management node's end, in the test's own namespace.
    std::string up = netns_->prefix();
    netns_->ip({"link", "add", up, "type", "veth", "peer", "name", "up0", "netns", sw});
    netns_->ip({"addr", "add", subnet_ + "1/24", "dev", up});
    netns_->ip({"link", "set", up, "up"});
    plugIntoSwitch(sw, "up0");
    agentPort_ = freeTcpPort();
    for (auto [m, name, last] : {std::tuple{&a_, "a", 2}, std::tuple{&b_, "b", 3}}) {
      m->ns = netns_->add(name);
      m->ip = subnet_ + std::to_string(last);
      netns_->ip({"-n", m->ns, "link", "add", "eth0", "type", "veth", "peer", "name",
                  std::string("p") + name, "netns", sw});
      netns_->ip({"-n", m->ns, "addr", "add", m->ip + "/24", "dev", "eth0"});
      m->vtep = tunnels_ + std::to_string(last);
      netns_->ip({"-n", m->ns, "addr", "add", m->vtep + "/24", "dev", "eth0"});
      netns_->ip({"-n", m->ns, "link", "set", "eth0", "up"});
      plugIntoSwitch(sw, std::string("p") + name);
      m->sshd = SshServer::start({m->ip}, netns_->wrapper(m->ns));
      m->dhcpDir = scratch_.path() / (std::string("dhcp-") + name);
      auto dir = scratch_.path() / name;
      std::filesystem::create_directories(dir);
      m->agent = launchNode(
          STRATO_AGENT_BIN, dir,
          {"--set", "http.host=" + m->ip, "--set", "http.port=" + std::to_string(agentPort_),
           "--set", std::string("plugins.dirs=") + STRATO_AGENT_PLUGIN_DIR, "--set",
           "plugin.kvm-agent.libvirtUri=test:///default", "--set",
           "plugin.kvm-agent.dryRunNetwork=false", "--set",
           "plugin.kvm-agent.dhcpDir=" + m->dhcpDir.string(), "--set",
           "plugin.kvm-agent.netnsPrefix=" + netns_->prefix() + "-" + name},
          netns_->wrapper(m->ns));
      std::string why;
      ASSERT_EQ(waitUntilServing(*m->agent, dir, &why, m->ip), agentPort_) << why;
    }
    startServer({"--set", "plugin.kvm.agentPort=" + std::to_string(agentPort_)});
  }

  // The server first, so nothing reconnects; then the agents; then whatever they started inside
  // the namespaces (dnsmasq) goes with the namespaces.
  void TearDown() override {
    if (server_) server_->stop();
    for (auto* m : {&a_, &b_}) {
      if (m->agent) m->agent->stop();
      if (m->agent && HasFailure()) std::cerr << m->ns << "'s agent:\n" << m->agent->readOutput();
      // dnsmasq and strato-metadata run in a DHCP namespace the agent made: killed by the pids
      // they wrote.
      if (m->dhcpDir.empty() || !std::filesystem::exists(m->dhcpDir)) continue;
      for (const auto& l3 : std::filesystem::directory_iterator(m->dhcpDir)) {
        for (const char* file : {"dnsmasq.pid", "metadata.pid"}) {
          pid_t pid = 0;
          if (std::ifstream(l3.path() / file) >> pid && pid > 1) ::kill(pid, SIGTERM);
        }
      }
    }
    netns_.reset();
  }

  // A /24 of 198.18.0.0/15, which is for tests of networks (RFC 2544), that no route of the
  // test's namespace uses yet (another test's, running beside this one), other than `taken`.
  std::string freeSubnet(const std::string& taken = "") {
    std::size_t start = std::hash<std::string>()(netns_->prefix());
    for (std::size_t i = 0; i < 500; ++i) {
      std::size_t k = (start + i) % 500;
      std::string subnet =
          "198." + std::to_string(18 + k / 250) + "." + std::to_string(k % 250) + ".";
      std::string routes;
      runOrThrow(findProgram("ip", "iproute2"),
                 {"-4", "route", "show", "to", "match", subnet + "1"},
                 scratch_.path() / "routes.log");
      std::ifstream in(scratch_.path() / "routes.log");
      routes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
      std::filesystem::remove(scratch_.path() / "routes.log");
      if (subnet != taken && routes.find(subnet) == std::string::npos) return subnet;
    }
    throw std::runtime_error("no free /24 in 198.18.0.0/15");
  }

  void plugIntoSwitch(const std::string& sw, const std::string& port) {
    netns_->ip({"-n", sw, "link", "set", port, "master", "sw0"});
    netns_->ip({"-n", sw, "link", "set", port, "up"});
  }

  void addHost(Machine& m, const std::string& cluster) {
    m.hostUuid = created(post("hosts/kvm", {{"name", m.ns},
                                            {"managementIp", m.ip},
                                            {"clusterUuid", cluster},
                                            {"username", m.sshd->user()},
                                            {"password", m.sshd->password()},
                                            {"sshPort", m.sshd->port()}}))["uuid"];
  }

  // A namespace standing in for a guest's NIC: a veth whose host end is on `bridge` of `host`.
  std::string nicNamespace(const Machine& host, const std::string& name, const std::string& bridge,
                           const std::string& mac) {
    std::string ns = netns_->add(name);
    std::string tap = "t" + name;
    netns_->ip(
        {"-n", host.ns, "link", "add", tap, "type", "veth", "peer", "name", "eth0", "netns", ns});
    netns_->ip({"-n", host.ns, "link", "set", tap, "master", bridge});
    netns_->ip({"-n", host.ns, "link", "set", tap, "up"});
    netns_->ip({"-n", ns, "link", "set", "eth0", "address", mac});
    netns_->ip({"-n", ns, "link", "set", "eth0", "up"});
    return ns;
  }

  // The address the namespace's DHCP client leased, or "" with what it printed in `output`.
  std::string lease(const std::string& ns, std::string* output) {
    auto script = scratch_.path() / "udhcpc.sh";
    if (!std::filesystem::exists(script)) {
      std::ofstream(script) << kDhcpScript;
      std::filesystem::permissions(script, std::filesystem::perms::owner_all);
    }
    int code =
        netns_->exec(ns,
                     {findProgram("busybox", "busybox-static"), "udhcpc", "-i", "eth0", "-f", "-q",
                      "-n", "-t", "6", "-T", "1", "-O", "staticroutes", "-s", script.string()},
                     output);
    std::smatch m;
    if (code != 0 || !std::regex_search(*output, m, std::regex("leased ([0-9.]+)"))) return "";
    return m[1];
  }

  // What a guest NIC's namespace reads from the metadata server, or "" when it cannot. (curl:
  // busybox-static's wget crashes in its resolver.)
  std::string metadata(const std::string& ns, const std::string& path) {
    std::string out;
    int code = netns_->exec(ns,
                            {findProgram("curl", "curl"), "-sf", "--max-time", "5",
                             std::string("http://169.254.169.254") + path},
                            &out);
    return code == 0 ? out : "";
  }

  // A command straight to a host's agent, as the management node sends it: the bus reply's JSON.
  Json askAgent(const Machine& m, const std::string& type, const Json& body) {
    auto reply = httpRequest("POST", m.ip, agentPort_, "/v1/messages",
                             Json{{"type", type}, {"body", body}}.dump());
    EXPECT_EQ(reply.status, 200) << reply.body;
    return Json::parse(reply.body, nullptr, false);
  }
  // Its error code, or "" for a success.
  static std::string errorCode(const Json& reply) {
    return reply.value("error", Json::object()).value("code", "");
  }

  std::string fdb(const Machine& m, const std::string& device) {
    std::string out;
    netns_->exec(m.ns, {findProgram("bridge", "iproute2"), "fdb", "show", "dev", device}, &out);
    return out;
  }

  std::unique_ptr<NetworkNamespaces> netns_;
  TempDir scratch_{"flat-dhcp"};
  std::string subnet_, tunnels_;  // "a.b.c." of the hosts' management and tunnel subnets
  int agentPort_ = 0;
  Machine a_, b_;
};

TEST_F(FlatDhcpVxlanTest, GuestsOnTwoHostsLeaseTheirAddressesAndReachEachOtherOverVxlan) {
  zone_ = createZone("z1")["uuid"];
  cluster_ = createCluster(zone_, "kvm", "KVM")["uuid"];
  std::string cluster2 = createCluster(zone_, "kvm2", "KVM")["uuid"];
  addHost(a_, cluster_);
  addHost(b_, cluster2);
  auto storage = scratch_.path() / "smp";
  std::filesystem::create_directories(storage);
  sharedStorageAndInstaller(storage);
  attach(ps_, cluster2);
  offering_ = instanceOffering(1, kGiB);

  // The pool tunnels on the hosts' second subnet, in both clusters (ZStack's VTEP CIDR tag).
  std::string vxPool = pool(zone_)["uuid"];
  ASSERT_EQ(vniRangeReply(vxPool, 5000, 5100).status, 200);
  std::string cidr = tunnels_ + "0/24";
  for (const auto& c : {cluster_, cluster2}) {
    std::string tag = "l2NetworkUuid::" + vxPool + "::clusterUuid::" + c + "::cidr::{" + cidr + "}";
    ASSERT_EQ(post("l2-networks/" + vxPool + "/clusters/" + c, Json::object(), {tag}).status, 200);
  }
  Json vx = created(vxlanReply(zone_, vxPool));
  for (const auto& c : {cluster_, cluster2}) ASSERT_EQ(attachL2Reply(vx["uuid"], c).status, 200);
  std::string vni = std::to_string(vx["vni"].get<std::int64_t>());
  // Each host floods to the other's VTEP: host A heard of host B when B's tunnel was made.
  EXPECT_NE(fdb(a_, "vxlan" + vni).find("dst " + b_.vtep), std::string::npos)
      << fdb(a_, "vxlan" + vni);
  EXPECT_NE(fdb(b_, "vxlan" + vni).find("dst " + a_.vtep), std::string::npos)
      << fdb(b_, "vxlan" + vni);
  Json poolNow = query("/zstack/v1/l2-networks/vxlan-pool/" + vxPool)[0];
  EXPECT_EQ(poolNow["attachedCidrs"], (Json{{cluster_, cidr}, {cluster2, cidr}}));
  std::map<std::string, std::string> vteps;
  for (const auto& v : poolNow["attachedVtepRefs"]) vteps[v["hostUuid"]] = v["vtepIp"];
  EXPECT_EQ(vteps,
            (std::map<std::string, std::string>{{a_.hostUuid, a_.vtep}, {b_.hostUuid, b_.vtep}}))
      << poolNow;

  l3_ = l3(vx["uuid"])["uuid"];
  range(l3_, "192.168.77.10", "192.168.77.100", "192.168.77.1");
  ASSERT_EQ(attachServices(l3_, {{flatProvider(), {"DHCP", "Userdata"}}}).status, 200);

  Json vms[2];
  int i = 0;
  for (auto* m : {&a_, &b_}) {
    Json params = vmParams("vm-" + m->ns);
    params["rootDiskOfferingUuid"] = rootDisk_;
    params["hostUuid"] = m->hostUuid;
    // Only the first VM has userdata and a name of its own.
    Json tags = i == 0 ? Json{std::string("userdata::") + kUserdataBase64, "hostname::web-a"}
                       : Json::array();
    vms[i++] = created(createVmReply(params, tags));
  }
  std::string bridge = "br_vx_" + vni;
  std::string ips[2], leased[2], output[2];
  for (int k = 0; k < 2; ++k) {
    const Json& nic = vms[k]["vmNics"][0];
    ips[k] = nic["ip"];
    std::string ns = nicNamespace(k == 0 ? a_ : b_, k == 0 ? "va" : "vb", bridge, nic["mac"]);
    leased[k] = lease(ns, &output[k]);
    EXPECT_EQ(leased[k], ips[k]) << output[k];
  }
  ASSERT_FALSE(leased[0].empty() || leased[1].empty());
  std::string pinged;
  int code = netns_->exec(
      netns_->prefix() + "-va",
      {findProgram("busybox", "busybox-static"), "ping", "-c", "2", "-W", "3", ips[1]}, &pinged);
  EXPECT_EQ(code, 0) << pinged;

  // Each guest reads its own userdata and metadata from its host, by the route DHCP gave it.
  std::string va = netns_->prefix() + "-va", vb = netns_->prefix() + "-vb";
  EXPECT_EQ(metadata(va, "/latest/user-data"), kUserdata);
  EXPECT_EQ(metadata(va, "/latest/meta-data/instance-id"), vms[0]["uuid"]);
  EXPECT_EQ(metadata(va, "/latest/meta-data/local-hostname"), "web-a");
  EXPECT_EQ(metadata(vb, "/latest/meta-data/instance-id"), vms[1]["uuid"]);
  EXPECT_EQ(metadata(vb, "/latest/meta-data/local-ipv4"), ips[1]);
  EXPECT_EQ(metadata(vb, "/latest/user-data"), "") << "the second VM has none";

  // A stopped VM's lease and userdata are gone from its host: the NIC asks in vain.
  vmActionOk(vms[0]["uuid"], {{"stopVmInstance", Json::object()}});
  EXPECT_EQ(metadata(va, "/latest/meta-data/instance-id"), "");
  netns_->ip({"-n", va, "addr", "flush", "dev", "eth0"});
  std::string again;
  EXPECT_EQ(lease(va, &again), "") << again;

  // Host B's cluster leaves the pool: host A floods to it no more, and its VTEP is forgotten.
  ASSERT_EQ(detachL2Reply(vxPool, cluster2).status, 200);
  EXPECT_EQ(fdb(a_, "vxlan" + vni).find("dst " + b_.vtep), std::string::npos)
      << fdb(a_, "vxlan" + vni);
  poolNow = query("/zstack/v1/l2-networks/vxlan-pool/" + vxPool)[0];
  EXPECT_EQ(poolNow["attachedCidrs"], (Json{{cluster_, cidr}}));
  ASSERT_EQ(poolNow["attachedVtepRefs"].size(), 1u) << poolNow;
  EXPECT_EQ(poolNow["attachedVtepRefs"][0]["vtepIp"], a_.vtep);

  // The L3 goes (its VMs first): so do host A's DHCP namespace, its servers and their files.
  std::string dhcpNamespace = "/run/netns/" + netns_->prefix() + "-a-dhcp-" + l3_;
  ASSERT_TRUE(std::filesystem::exists(dhcpNamespace));
  for (const auto& vm : vms) {
    auto gone = client().call("DELETE", std::string(kVms) + "/" + vm["uuid"].get<std::string>());
    ASSERT_EQ(gone.status, 200) << gone.body;
  }
  auto deleted = client().call("DELETE", "/zstack/v1/l3-networks/" + l3_);
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_TRUE(eventually([&] { return !std::filesystem::exists(dhcpNamespace); }));
  EXPECT_FALSE(std::filesystem::exists(a_.dhcpDir / l3_));
}

// Whatever reaches the agent's port could send these: names and addresses go into file paths,
// namespace names and dnsmasq's configuration, so each is checked, and nothing is made first.
TEST_F(FlatDhcpVxlanTest, AnAgentRefusesNetworkSettingsItCannotUse) {
  auto ask = [&](const std::string& type, const Json& body) { return askAgent(a_, type, body); };
  auto code = [](const Json& reply) { return errorCode(reply); };
  Json vxlan{{"type", "L2VxlanNetwork"}, {"vni", 77}, {"physicalInterface", "eth1"}};
  auto dhcpFor = [&](const std::string& l3, const std::string& mac, const std::string& server) {
    Json network{{"l2", vxlan}, {"serverIp", server}, {"netmask", "255.255.255.0"}};
    Json nic{{"uuid", "n1"}, {"l3NetworkUuid", l3}, {"mac", mac}, {"ip", "10.9.9.5"}};
    return Json{{"vm", {{"uuid", "v1"}, {"nics", {nic}}, {"extra", {{"dhcp", {{l3, network}}}}}}}};
  };
  std::string l3(32, 'a');
  for (const auto& [body, why] : std::vector<std::pair<Json, std::string>>{
           {dhcpFor("../../../etc/x", "52:54:00:00:00:01", "10.9.9.2"), "l3Uuid"},
           {dhcpFor(l3, "52:54:00:00:00:01;reboot", "10.9.9.2"), "MAC"},
           {dhcpFor(l3, "52:54:00:00:00:01", "10.9.9.2\ndhcp-script=/bin/sh"), "serverIp"}}) {
    auto reply = ask("remote.kvm.ServeDhcp", body);
    EXPECT_EQ(code(reply), "InvalidArgument") << why << ": " << reply;
  }
  // A host route becomes a dnsmasq option; userdata becomes a file.
  Json routed = dhcpFor(l3, "52:54:00:00:00:01", "10.9.9.2");
  routed["vm"]["extra"]["dhcp"][l3]["hostRoutes"] = {
      {{"prefix", "10.0.0.0/8\nno-hosts"}, {"nextHop", "10.9.9.1"}}};
  EXPECT_EQ(code(ask("remote.kvm.ServeDhcp", routed)), "InvalidArgument");
  Json withUserdata = dhcpFor(l3, "52:54:00:00:00:01", "10.9.9.2");
  withUserdata["vm"]["extra"]["dhcp"][l3]["userdata"] = true;
  withUserdata["vm"]["extra"]["userdata"] = "not base64!";
  auto refused = ask("remote.kvm.ServeDhcp", withUserdata);
  EXPECT_EQ(code(refused), "InvalidArgument") << refused;
  EXPECT_FALSE(std::filesystem::exists(a_.dhcpDir)) << "nothing is written for refused settings";
  auto peers = ask("remote.kvm.SetVxlanPeers", {{"vni", 77}, {"peers", {"10.0.0.1 dev lo"}}});
  EXPECT_EQ(code(peers), "InvalidArgument") << peers;
  // The tunnel's end by CIDR: a host with no address in it says so instead of guessing.
  Json byCidr = vxlan;
  byCidr["vtepCidr"] = "203.0.113.0/24";
  auto realized = ask("remote.kvm.RealizeL2", byCidr);
  EXPECT_EQ(code(realized), "NotFound") << realized;
  EXPECT_NE(realized.dump().find("no address in 203.0.113.0/24"), std::string::npos) << realized;
  byCidr["vtepCidr"] = subnet_ + "0/24";
  realized = ask("remote.kvm.RealizeL2", byCidr);
  EXPECT_EQ(code(realized), "") << realized;
  EXPECT_EQ(realized.value("body", Json::object()).value("vtepIp", ""), a_.ip) << realized;
}

// IPAM gives an address to one NIC at a time, but a host may still hold a lease nobody took back
// (a guest that stopped by itself, a migration that failed). The address's new NIC gets it.
TEST_F(FlatDhcpVxlanTest, AnAddressGivenToAnotherNicIsLeasedToThatNic) {
  Json vxlan{{"type", "L2VxlanNetwork"},
             {"vni", 77},
             {"physicalInterface", "eth0"},
             {"vtepIp", a_.ip},
             {"peers", Json::array()}};
  ASSERT_EQ(errorCode(askAgent(a_, "remote.kvm.RealizeL2", vxlan)), "");
  std::string l3(32, 'b');
  auto serve = [&](const std::string& vm, const std::string& mac) {
    Json network{{"l2", vxlan}, {"serverIp", "10.9.9.2"}, {"netmask", "255.255.255.0"}};
    Json nic{{"uuid", "n-" + vm}, {"l3NetworkUuid", l3}, {"mac", mac}, {"ip", "10.9.9.5"}};
    Json spec{{"uuid", vm}, {"nics", {nic}}, {"extra", {{"dhcp", {{l3, network}}}}}};
    return errorCode(askAgent(a_, "remote.kvm.ServeDhcp", {{"vm", spec}}));
  };
  ASSERT_EQ(serve("v1", "52:54:00:00:00:01"), "");
  std::string first = nicNamespace(a_, "n1", "br_vx_77", "52:54:00:00:00:01");
  std::string output;
  ASSERT_EQ(lease(first, &output), "10.9.9.5") << output;
  netns_->ip({"-n", first, "link", "set", "eth0", "down"});  // it stopped; nobody released it

  ASSERT_EQ(serve("v2", "52:54:00:00:00:02"), "");
  std::string second = nicNamespace(a_, "n2", "br_vx_77", "52:54:00:00:00:02");
  EXPECT_EQ(lease(second, &output), "10.9.9.5") << output;
}

}  // namespace
}  // namespace strato::test
