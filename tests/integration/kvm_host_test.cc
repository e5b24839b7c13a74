// AddKVMHost, UpdateKVMHost and KvmRunShell over HTTP against a real sshd and real strato-agents
// (libvirt's test driver), and what the management node does when an agent goes away.
#include "integration/kvm_fixture.h"
#include "support/broken_peer.h"

namespace strato::test {
namespace {

class KvmHostTest : public KvmTest {
 protected:
  void SetUp() override {
    KvmTest::SetUp();
    if (IsSkipped()) return;
    zone_ = createZone("z1")["uuid"];
    cluster_ = createCluster(zone_, "kvm", "KVM")["uuid"];
  }
  Json host(const std::string& uuid) { return query("/zstack/v1/hosts/" + uuid)[0]; }
  // A refused AddKVMHost left no host and no KVM row, and started no agent.
  void expectNoHostAdded() {
    EXPECT_TRUE(query("/zstack/v1/hosts").empty());
    EXPECT_EQ(rowsIn("kvm_host"), 0);
    EXPECT_FALSE(std::filesystem::exists(agentDir_ / "agent.pid"));
  }
};

TEST_F(KvmHostTest, AddKvmHostStartsTheAgentOverSshAndReadsTheHostsFacts) {
  Json h = created(addKvmHostReply("b", kHostB));
  EXPECT_EQ(h["hypervisorType"], "KVM");
  EXPECT_EQ(h["status"], "Connected");
  // What libvirt's test driver says of its imaginary machine: 16 CPUs, 3 GiB (the host plugin
  // offers the CPUs and memory as capacity).
  EXPECT_EQ(h["cpuNum"], 16);
  EXPECT_EQ(h["totalMemoryCapacity"], 3LL << 30);
  // The agent AddKVMHost started, as the SSH user, answering at the host's address.
  EXPECT_TRUE(std::filesystem::exists(agentDir_ / "agent.pid"));
  Json facts = agentCall(kHostB, "remote.kvm.Facts")["body"];
  EXPECT_EQ(facts["libvirtUri"], "test:///default");
  EXPECT_EQ(facts["domainType"], "test");
}

TEST_F(KvmHostTest, AnAgentThatRunsAlreadyIsUsedAsItIs) {
  auto agent = startAgent(kHostA);
  Json h = created(addKvmHostReply("a", kHostA));
  EXPECT_EQ(h["status"], "Connected");
  EXPECT_FALSE(std::filesystem::exists(agentDir_ / "agent.pid"));
}

TEST_F(KvmHostTest, AWrongPasswordIsRefusedAndLeavesNothingBehind) {
  auto reply = addKvmHostReply("b", kHostB, "not-the-password");
  EXPECT_EQ(reply.status, 503) << reply.body;
  EXPECT_NE(reply.body.find("password"), std::string::npos) << reply.body;
  expectNoHostAdded();
}

TEST_F(KvmHostTest, BadInputIsRefusedBeforeAnythingIsTried) {
  auto noPassword = post("hosts/kvm", {{"name", "b"},
                                       {"managementIp", kHostB},
                                       {"clusterUuid", cluster_},
                                       {"username", "root"}});
  EXPECT_EQ(noPassword.status, 400) << noPassword.body;
  auto badPort = post("hosts/kvm", {{"name", "b"},
                                    {"managementIp", kHostB},
                                    {"clusterUuid", cluster_},
                                    {"username", "root"},
                                    {"password", "x"},
                                    {"sshPort", 70000}});
  EXPECT_EQ(codeOf(badPort), "SYS.1007") << badPort.body;
  EXPECT_EQ(rowsIn("kvm_host"), 0);
}

TEST_F(KvmHostTest, OnlyRemoteMessagesCrossTheNetwork) {
  auto reply = httpRequest("POST", "127.0.0.1", client().port(), "/v1/messages",
                           Json{{"type", "host.AddHost"}, {"body", Json::object()}}.dump());
  EXPECT_EQ(reply.status, 400) << reply.body;
  auto garbage = httpRequest("POST", "127.0.0.1", client().port(), "/v1/messages", "{nope");
  EXPECT_EQ(garbage.status, 400) << garbage.body;
}

TEST_F(KvmHostTest, AHostWhoseAgentDiesGoesDisconnectedAndComesBackWithIt) {
  setGlobalConfig("host", "ping.interval", "1");
  auto agent = startAgent(kHostA);
  std::string uuid = created(addKvmHostReply("a", kHostA))["uuid"];
  agent->stop();
  EXPECT_TRUE(eventually([&] { return host(uuid)["status"] == "Disconnected"; }));
  agent = startAgent(kHostA);
  EXPECT_TRUE(eventually([&] { return host(uuid)["status"] == "Connected"; }));
}

TEST_F(KvmHostTest, SomethingElseAnsweringAtTheAgentsPortIsRefusedByName) {
  BrokenPeer garbage(kHostC, agentPort_, BrokenPeer::Mode::kGarbage);
  auto reply = addKvmHostReply("c", kHostC);
  EXPECT_EQ(reply.status, 503) << reply.body;
  EXPECT_NE(reply.body.find("answered garbage"), std::string::npos) << reply.body;
  expectNoHostAdded();  // nothing was started beside it either
}

TEST_F(KvmHostTest, AnAgentThatStopsAnsweringLeavesTheHostDisconnectedUntilItIsBack) {
  setGlobalConfig("host", "ping.interval", "1");
  auto agent = startAgent(kHostA);
  std::string uuid = created(addKvmHostReply("a", kHostA))["uuid"];
  agent->stop();
  {
    // Hung: the connection is taken, and no answer ever comes.
    BrokenPeer hung(kHostA, agentPort_, BrokenPeer::Mode::kSilent);
    EXPECT_TRUE(eventually([&] { return host(uuid)["status"] == "Disconnected"; }));
    auto reconnect = client().call("PUT", "/zstack/v1/hosts/" + uuid + "/actions",
                                   {{"reconnectHost", Json::object()}});
    EXPECT_EQ(reconnect.status, 503) << reconnect.body;
    EXPECT_EQ(host(uuid)["status"], "Disconnected");
  }
  agent = startAgent(kHostA);
  EXPECT_TRUE(eventually([&] { return host(uuid)["status"] == "Connected"; }));
}

TEST_F(KvmHostTest, ReconnectStartsAnAgentThatIsGone) {
  std::string uuid = created(addKvmHostReply("b", kHostB))["uuid"];
  std::ifstream pidFile(agentDir_ / "agent.pid");
  pid_t first = 0;
  ASSERT_TRUE(pidFile >> first);
  ::kill(first, SIGKILL);
  auto reply = client().call("PUT", "/zstack/v1/hosts/" + uuid + "/actions",
                             {{"reconnectHost", Json::object()}});
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(host(uuid)["status"], "Connected");
  std::ifstream again(agentDir_ / "agent.pid");
  pid_t second = 0;
  ASSERT_TRUE(again >> second);
  EXPECT_NE(second, first);
}

TEST_F(KvmHostTest, UpdateKvmHostChangesTheCredentialsReconnectsUse) {
  auto agent = startAgent(kHostA);
  std::string uuid = created(addKvmHostReply("a", kHostA))["uuid"];
  auto update = [&](const Json& params) {
    return client().call("PUT", "/zstack/v1/hosts/kvm/" + uuid + "/actions",
                         {{"updateKVMHost", params}});
  };
  auto reconnect = [&] {
    return client().call("PUT", "/zstack/v1/hosts/" + uuid + "/actions",
                         {{"reconnectHost", Json::object()}});
  };
  // Refused by the host plugin (another host has that address): the password stays as it was.
  created(post("hosts/simulators", {{"name", "sim"}, {"managementIp", "10.9.9.9"},
                                    {"clusterUuid", createCluster(zone_, "sim")["uuid"]}}));
  EXPECT_EQ(update({{"password", "wrong"}, {"managementIp", "10.9.9.9"}}).status, 503);
  EXPECT_EQ(reconnect().status, 200);
  auto renamed = update({{"name", "renamed"}, {"password", "wrong"}});
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(parse(renamed)["inventory"]["name"], "renamed");
  EXPECT_EQ(reconnect().status, 503);
  EXPECT_EQ(host(uuid)["status"], "Disconnected");
  ASSERT_EQ(update({{"password", sshd_->password()}}).status, 200);
  EXPECT_EQ(reconnect().status, 200);
  EXPECT_EQ(host(uuid)["status"], "Connected");
  EXPECT_EQ(update({{"sshPort", 0}}).status, 503);
}

TEST_F(KvmHostTest, KvmRunShellRunsOnEveryHostAndReportsEach) {
  auto agent = startAgent(kHostA);
  std::string a = created(addKvmHostReply("a", kHostA))["uuid"];
  std::string missing(32, 'f');
  auto reply = client().call("PUT", "/zstack/v1/hosts/kvm/actions",
                             {{"kvmRunShell", {{"hostUuids", {a, missing}},
                                               {"script", "echo hello; exit 3"}}}});
  ASSERT_EQ(reply.status, 200) << reply.body;
  Json out = parse(reply)["inventory"];
  EXPECT_EQ(out[a]["stdout"], "hello\n");
  EXPECT_EQ(out[a]["returnCode"], 3);
  EXPECT_EQ(out[missing]["returnCode"], -1);
  EXPECT_FALSE(out[missing]["errorCode"].empty());
}

TEST_F(KvmHostTest, DeletingAKvmHostForgetsItsCredentials) {
  auto agent = startAgent(kHostA);
  std::string uuid = created(addKvmHostReply("a", kHostA))["uuid"];
  EXPECT_EQ(rowsIn("kvm_host"), 1);
  ASSERT_EQ(client().call("DELETE", "/zstack/v1/hosts/" + uuid).status, 200);
  EXPECT_TRUE(eventually([&] { return rowsIn("kvm_host") == 0; }));
}

}  // namespace
}  // namespace strato::test

namespace strato::test {
namespace {

// Hosts without strato-agent: AddKVMHost installs the management node's own (here, the build's).
class KvmInstallTest : public KvmHostTest {
 protected:
  KvmInstallTest() { agentCommand_ = "strato-agent-on-no-path"; }
  pid_t agentPid() {
    std::ifstream file(agentDir_ / "agent.pid");
    pid_t pid = 0;
    file >> pid;
    return pid;
  }
  std::filesystem::path plugin() {
    return agentDir_ / "lib/strato/agent-plugins/libstrato_kvm_agent.so";
  }
  std::filesystem::path builtPlugin() {
    return std::filesystem::path(STRATO_AGENT_PLUGIN_DIR) / "libstrato_kvm_agent.so";
  }
  // The agent dies; a reconnect brings it back.
  void killAndReconnect(const std::string& uuid) {
    ::kill(agentPid(), SIGKILL);
    auto reply = client().call("PUT", "/zstack/v1/hosts/" + uuid + "/actions",
                               {{"reconnectHost", Json::object()}});
    ASSERT_EQ(reply.status, 200) << reply.body;
    EXPECT_EQ(host(uuid)["status"], "Connected");
  }
};

TEST_F(KvmInstallTest, AddKvmHostInstallsTheAgentAndLaterSendsOnlyWhatDiffers) {
  std::string uuid = created(addKvmHostReply("b", kHostB))["uuid"];
  EXPECT_EQ(host(uuid)["status"], "Connected");
  // The agent that answers runs from the installed copy, which is the build's, byte for byte.
  auto exe = std::filesystem::path(agentDir_ / "bin/strato-agent");
  EXPECT_EQ(std::filesystem::read_symlink("/proc/" + std::to_string(agentPid()) + "/exe"), exe);
  EXPECT_TRUE(readFile(exe) == readFile(STRATO_AGENT_BIN));
  EXPECT_TRUE(readFile(plugin()) == readFile(builtPlugin()));
  EXPECT_TRUE(std::filesystem::exists(agentDir_ / "bin/strato-metadata"));
  EXPECT_EQ(agentCall(kHostB, "remote.kvm.Facts")["body"]["libvirtUri"], "test:///default");

  // A reconnect sends nothing the host holds already.
  auto installedAt = std::filesystem::last_write_time(exe);
  killAndReconnect(uuid);
  EXPECT_EQ(std::filesystem::last_write_time(exe), installedAt);
  // A damaged file is sent again, before the agent that would load it starts.
  std::ofstream(plugin(), std::ios::trunc) << "not a plugin";
  killAndReconnect(uuid);
  EXPECT_TRUE(readFile(plugin()) == readFile(builtPlugin()));
  EXPECT_EQ(std::filesystem::last_write_time(exe), installedAt);
  std::vector<std::string> parts;
  for (const auto& e : std::filesystem::recursive_directory_iterator(agentDir_))
    if (e.path().extension() == ".part") parts.push_back(e.path());
  EXPECT_TRUE(parts.empty()) << parts.front();
}

}  // namespace
}  // namespace strato::test
