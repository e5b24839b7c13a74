// KVM hosts over HTTP: a strato-server, a real sshd listening on 127.0.0.1-3, and strato-agents
// on 127.0.0.2 and 127.0.0.3 (two "machines") driving libvirt's test driver. Host A's agent is
// started by the test; host B's by AddKVMHost over SSH, as on a fresh host. Both agents listen on
// one free port, as every real host's agent listens on 7070. Their host networking is dry-run:
// the test user cannot make bridges, and the test machine's network is not the test's to change.
#pragma once

#include <csignal>
#include <fstream>

#include "integration/vm_fixture.h"
#include "support/free_port.h"
#include "support/http_client.h"
#include "support/ssh_server.h"

namespace strato::test {

class KvmTest : public VmTest {
 protected:
  static constexpr const char* kHostA = "127.0.0.2";
  static constexpr const char* kHostB = "127.0.0.3";
  static constexpr const char* kHostC = "127.0.0.4";  // where tests put broken agents

  void SetUp() override {
    try {
      sshd_ = SshServer::start({"127.0.0.1", kHostA, kHostB, kHostC});
    } catch (const std::exception& e) {
      GTEST_SKIP() << e.what();
    }
    agentPort_ = freeTcpPort();
    agentDir_ = sshd_->writableDir("agent");
    storageDir_ = sshd_->writableDir("smp");
    std::vector<std::string> args{"--set",
                                  "plugin.kvm.agentPort=" + std::to_string(agentPort_),
                                  "--set",
                                  "plugin.kvm.agentCommand=" + agentCommand_,
                                  "--set",
                                  "plugin.kvm.agentDir=" + agentDir_.string(),
                                  "--set",
                                  "plugin.kvm.agentLibvirtUri=test:///default",
                                  "--set",
                                  "plugin.kvm.pingTimeoutSeconds=2",
                                  "--set",
                                  "plugin.kvm.agentStartSeconds=5",
                                  "--set",
                                  "plugin.kvm.agentSettings=plugin.kvm-agent.dryRunNetwork=true,"
                                  "plugin.kvm-agent.vmStatePollMs=200"};
    args.insert(args.end(), serverArgs_.begin(), serverArgs_.end());
    startServer(args);
  }

  // The server first, so it cannot start an agent again (a reconnect does) while the agents go;
  // then only the agent AddKVMHost started over SSH, by the pid it recorded.
  void TearDown() override {
    if (server_) server_->stop();
    std::ifstream pidFile(agentDir_ / "agent.pid");
    pid_t pid = 0;
    if (pidFile >> pid && pid > 1) ::kill(pid, SIGTERM);
  }

  // An agent on `ip`, started by the test; `extra` adds --set arguments.
  std::unique_ptr<Process> startAgent(const std::string& ip, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args{"--set", "http.host=" + ip, "--set",
                                  "http.port=" + std::to_string(agentPort_), "--set",
                                  std::string("plugins.dirs=") + STRATO_AGENT_PLUGIN_DIR, "--set",
                                  "plugin.kvm-agent.libvirtUri=test:///default", "--set",
                                  "plugin.kvm-agent.dryRunNetwork=true", "--set",
                                  "plugin.kvm-agent.vmStatePollMs=200",
                                  // Every command calls back, however quick (host B's agent
                                  // answers quick ones at once, as by default).
                                  "--set", "plugin.kvm-agent.answerWithinMs=0"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto dir = agentsDir_.path() / ip;
    std::filesystem::create_directories(dir);
    // Agents of real hosts all run as root; here host B's runs as the SSH user. Files host A's
    // agent makes are left writable to it, as they would be to a fellow root agent.
    auto agent = launchNode(STRATO_AGENT_BIN, dir, args,
                            {"/bin/sh", "-c", "umask 000 && exec \"$@\"", "sh"});
    std::string why;
    EXPECT_EQ(waitUntilServing(*agent, dir, &why, ip), agentPort_) << why;
    return agent;
  }

  HttpReply addKvmHostReply(const std::string& name, const std::string& ip,
                            const std::string& password = {}) {
    return post("hosts/kvm", {{"name", name},
                              {"managementIp", ip},
                              {"clusterUuid", cluster_},
                              {"username", sshd_->user()},
                              {"password", password.empty() ? sshd_->password() : password},
                              {"sshPort", sshd_->port()}});
  }

  // A command straight to an agent, as the management node sends it.
  Json agentCall(const std::string& ip, const std::string& type, const Json& body = Json::object()) {
    auto reply = httpRequest("POST", ip, agentPort_, "/v1/messages",
                             Json{{"type", type}, {"body", body}}.dump());
    EXPECT_EQ(reply.status, 200) << reply.body << reply.error;
    return Json::parse(reply.body, nullptr, false);
  }
  // What libvirt on the host runs: {vm uuid: state}.
  Json guestsOn(const std::string& ip) { return agentCall(ip, "remote.kvm.VmStates")["body"]["vms"]; }

  // Zone, KVM cluster, host A (its agent started here, with `agentArgs`) and host B (its agent
  // started by AddKVMHost), a shared mount point at storageDir_, an ISO on a simulator backup
  // storage, a flat L3 network and offerings.
  void buildKvmCloud(const std::vector<std::string>& agentArgs = {}) {
    buildKvmHosts(agentArgs);
    sharedStorageAndInstaller(storageDir_);
    buildKvmNetwork();
  }
  // The zone, cluster and hosts of buildKvmCloud.
  void buildKvmHosts(const std::vector<std::string>& agentArgs = {}) {
    zone_ = createZone("z1")["uuid"];
    cluster_ = createCluster(zone_, "kvm", "KVM")["uuid"];
    agentA_ = startAgent(kHostA, agentArgs);
    hostA_ = created(addKvmHostReply("a", kHostA))["uuid"];
    hostB_ = created(addKvmHostReply("b", kHostB))["uuid"];
  }
  // The network and offering of buildKvmCloud.
  void buildKvmNetwork() {
    std::string l2 = noVlan(zone_)["uuid"];
    ASSERT_EQ(attachL2Reply(l2, cluster_).status, 200);
    l3_ = l3(l2)["uuid"];
    range(l3_, "192.168.1.2", "192.168.1.254", "192.168.1.1");
    offering_ = instanceOffering(1, kGiB);
  }

  // The files under `dir` (none when it does not exist), but the agents' heartbeats, which a
  // shared storage holds from the first ping after its attach.
  static std::vector<std::string> filesUnder(const std::filesystem::path& dir) {
    std::vector<std::string> out;
    if (!std::filesystem::exists(dir)) return out;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
      bool heartbeat = e.path().parent_path().filename() == "heartbeat";
      if (e.is_regular_file() && !heartbeat) out.push_back(e.path().string());
    }
    return out;
  }

  // A data volume of 2 GiB: a snapshot, a resize to 3 GiB and a revert to the snapshot, the
  // file's size checked on host A after each (its agent reads `path`).
  void snapshotResizeRevert(const std::string& volume, const std::string& path) {
    auto sizeOnHost = [&] {
      return agentCall(kHostA, "remote.kvm.VolumeInfo", {{"path", path}})["body"]["size"];
    };
    auto taken = client().call("POST", "/zstack/v1/volumes/" + volume + "/volume-snapshots",
                               {{"params", {{"name", "d1"}}}});
    ASSERT_EQ(taken.status, 200) << taken.body;
    auto resized = client().call("PUT", "/zstack/v1/volumes/data/resize/" + volume + "/actions",
                                 {{"resizeDataVolume", {{"size", 3 * kGiB}}}});
    ASSERT_EQ(resized.status, 200) << resized.body;
    EXPECT_EQ(sizeOnHost(), 3 * kGiB);
    std::string snapshot = parse(taken)["inventory"]["uuid"];
    auto reverted = client().call("PUT", "/zstack/v1/volume-snapshots/" + snapshot + "/actions",
                                  {{"revertVolumeFromSnapshot", Json::object()}});
    ASSERT_EQ(reverted.status, 200) << reverted.body;
    EXPECT_EQ(sizeOnHost(), 2 * kGiB);
  }

  // A file's bytes: what tests compare after a copy, and consoles they read.
  static std::string readFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  // An ImageStore backup storage on the machine `sshd` serves at `hostname`, attached to zone_.
  std::string imageStore(const SshServer& sshd, const std::string& hostname) {
    std::string bs = created(post("backup-storage/image-store",
                                  {{"hostname", hostname},
                                   {"username", sshd.user()},
                                   {"password", sshd.password()},
                                   {"sshPort", sshd.port()},
                                   {"url", sshd.writableDir("store").string()},
                                   {"name", "store"}}))["uuid"];
    auto attached = client().call("POST", "/zstack/v1/zones/" + zone_ + "/backup-storage/" + bs,
                                  Json::object());
    EXPECT_EQ(attached.status, 200) << attached.body;
    return bs;
  }

  Json kvmVmParams(const std::string& name) const {
    Json params = vmParams(name);
    params["rootDiskOfferingUuid"] = rootDisk_;
    return params;
  }

  std::unique_ptr<SshServer> sshd_;
  int agentPort_ = 0;
  std::filesystem::path agentDir_, storageDir_;
  TempDir agentsDir_{"kvm-agents"};
  // How AddKVMHost runs strato-agent on a host; a fixture can name one no host has.
  std::string agentCommand_ = STRATO_AGENT_BIN;
  // More --set arguments for the management node.
  std::vector<std::string> serverArgs_;
  std::unique_ptr<Process> agentA_;
  std::string hostA_, hostB_;
};

}  // namespace strato::test
