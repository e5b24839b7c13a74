#include "kvm_agents.h"

#include <thread>

#include <strato/uuid.h>

#include <strato/handler_util.h>

#include "agent_client/kvm_protocol.h"
#include "agent_client/shared_storage.h"

namespace strato::kvm {

std::string KvmAgents::stagingPath() const { return settings_.agentDir + "/staging/" + newUuid(); }

Json sshTargetJson(const ssh::Target& t) {
  return Json{{"host", t.host},
              {"port", t.port},
              {"user", t.user},
              {"password", t.password},
              {"hostKey", t.knownHostKey}};
}

Reply KvmAgents::call(const std::string& managementIp, std::string_view type, Json body,
                      const std::string& resourceUuid) const {
  // The agent runs a task once however often it arrives, and knows its manager sent it.
  return tasks_->call(address(managementIp),
                      Message{std::string(type), resourceUuid, std::move(body)},
                      settings_.callTimeout);
}

Json KvmAgents::managedBy(const std::string& hostUuid) const {
  Json nodes = Json::array();
  // The kernel's record of live management nodes: any of them may take a report.
  auto rows = db_.query("SELECT hostName, port FROM management_node ORDER BY joinDate", {});
  if (rows) {
    for (const auto& r : rows->rows) nodes.push_back({{"host", dbText(r[0])}, {"port", dbInt(r[1])}});
  }
  auto roots = heartbeatRoots(hostUuid);
  return Json{{"hostUuid", hostUuid},
              {"managementNodes", nodes},
              {"heartbeat",
               {{"roots", roots ? *roots : std::vector<std::string>{}},
                {"intervalMs", std::chrono::milliseconds(settings_.heartbeat).count()}}}};
}

Result<std::vector<std::string>> KvmAgents::heartbeatRoots(const std::string& hostUuid) const {
  // The storage plugin's tables: which shares a host uses is theirs to say.
  auto rows = db_.query(
      "SELECT ps.type, ps.url FROM primary_storage ps JOIN primary_storage_cluster_ref r ON "
      "r.primaryStorageUuid = ps.uuid JOIN host h ON h.clusterUuid = r.clusterUuid WHERE "
      "h.uuid = ? AND ps.type IN ('NFS', 'SharedMountPoint') ORDER BY ps.uuid",
      {hostUuid});
  if (!rows) return rows.error();
  std::vector<std::string> roots;
  for (const auto& r : rows->rows)
    roots.push_back(agent::sharedStorageRoot(dbText(r[0]), dbText(r[1])));
  return roots;
}

Result<KvmHost> KvmAgents::host(const std::string& uuid) const {
  auto ip = textColumn(db_, "SELECT managementIp FROM host WHERE uuid = ?", {uuid});
  if (!ip) return ip.error();
  auto creds = store_.get(uuid);
  if (ip->empty() || !creds) return makeError(ErrorCode::kNotFound, "no KVM host " + uuid);
  return KvmHost{ip->front(), *creds};
}

ssh::Target KvmAgents::sshTarget(const std::string& managementIp, const KvmCredentials& c) const {
  ssh::Target t;
  t.host = managementIp;
  t.port = c.sshPort;
  t.user = c.username;
  t.password = c.password;
  t.knownHostKey = c.hostKey;
  t.timeout = settings_.sshTimeout;
  return t;
}

Reply KvmAgents::ping(const std::string& managementIp, Json body) const {
  return agent::call(address(managementIp), Message{std::string(kPing), "", std::move(body)},
                     settings_.pingTimeout);
}

Status KvmAgents::startAgent(const ssh::Target& target, const std::string& managementIp) {
  const auto& s = settings_;
  std::string program = s.agentCommand;
  // Installed by packages (the host's PATH), or else by this node into agentDir.
  if (!ssh::runChecked(target, "command -v " + ssh::shellQuote(program))) {
    auto installed = installAgent(target);
    if (!installed) return installed.error();
    program = *installed;
  }
  std::string dir = ssh::shellQuote(s.agentDir);
  std::string more;
  for (const auto& setting : s.agentSettings) more += " --set " + ssh::shellQuote(setting);
  // An agent this started before that is still starting is waited for, not doubled. The agent
  // outlives the SSH session (setsid, no terminal); its pid file lets an operator (or a test)
  // stop exactly that process.
  std::string command =
      "set -e\nmkdir -p " + dir + "\ncd " + dir +
      // Alive, and not a zombie nobody reaped (a killed agent's parent is gone).
      "\npid=$(cat agent.pid 2>/dev/null || true)\nif [ -n \"$pid\" ] && [ -d /proc/$pid ] && "
      "! grep -q '^State:[[:space:]]*Z' /proc/$pid/status 2>/dev/null; then exit 0; fi\n" +
      "setsid " + ssh::shellQuote(program) + " --set " +
      ssh::shellQuote("http.host=" + managementIp) + " --set " +
      ssh::shellQuote("http.port=" + std::to_string(s.agentPort)) + " --set " +
      ssh::shellQuote("database.url=sqlite:" + s.agentDir + "/agent.db") + " --set " +
      ssh::shellQuote("plugin.kvm-agent.libvirtUri=" + s.agentLibvirtUri) + more +
      " > agent.log 2>&1 < /dev/null &\necho $! > agent.pid\n";
  auto started = ssh::runChecked(target, command);
  if (!started) return started.error();
  auto deadline = std::chrono::steady_clock::now() + s.agentStart;
  while (std::chrono::steady_clock::now() < deadline) {
    if (ping(managementIp)) return {};
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  auto log = ssh::runChecked(target, "tail -n 20 " + dir + "/agent.log");
  return makeError(ErrorCode::kUnavailable,
                   "strato-agent started on " + managementIp + " but does not answer on port " +
                       std::to_string(s.agentPort),
                   log ? *log : log.error().message);
}

Status KvmAgents::prepare(const HostSpec& host) {
  auto creds = store_.get(host.uuid);
  if (!creds) return creds.error();
  auto target = sshTarget(host.managementIp, *creds);
  std::string hostKey;
  // A host that cannot run guests is refused before anything starts on it.
  auto checked = ssh::runChecked(target, "uname -m && test -d /proc", &hostKey);
  if (!checked) return checked.error();
  if (creds->hostKey.empty()) {
    if (auto st = store_.rememberHostKey(host.uuid, hostKey); !st) return st;
  }
  auto pong = ping(host.managementIp);
  if (pong) return {};
  if (pong.error().code != ErrorCode::kUnavailable) return pong.error();
  logger_->info("kvm.agent.starting host=" + host.uuid + " ip=" + host.managementIp);
  return startAgent(target, host.managementIp);
}

Result<Json> KvmAgents::runShell(const std::string& managementIp, const KvmCredentials& c,
                                 const std::string& script) const {
  auto connection = ssh::Connection::open(sshTarget(managementIp, c));
  if (!connection) return connection.error();
  auto ran = (*connection)->run(script);
  if (!ran) return ran.error();
  return Json{{"returnCode", ran->exitStatus}, {"stdout", ran->out}, {"stderr", ran->err}};
}

}  // namespace strato::kvm
