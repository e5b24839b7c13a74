// kvm-agent: strato-agent's half of the KVM hypervisor. It answers the management node's commands
// (kvm_protocol.h) with the host's libvirt and qemu-img. Settings (agent config or --set):
//   plugin.kvm-agent.libvirtUri       qemu:///system; test:///default for libvirt's test driver
//   plugin.kvm-agent.domainType       auto (kvm where /dev/kvm is usable), kvm, qemu (TCG) or test
//   plugin.kvm-agent.advertisedIp     the address consoles are reached at (default http.host)
//   plugin.kvm-agent.consoleLogDir    serial consoles are logged to <dir>/<vm uuid>.log
//   plugin.kvm-agent.stopGraceSeconds a graceful stop powers off after this long (60)
//   plugin.kvm-agent.commandTimeoutSeconds  qemu-img and friends are killed after this (3600)
//   plugin.kvm-agent.dryRunNetwork    true: report the iproute2 commands for L2 networks and
//                                     DHCP without running them (networking managed by
//                                     someone else)
//   plugin.kvm-agent.dhcpDir          flat DHCP's dnsmasq files (/var/lib/strato-agent/dhcp)
//   plugin.kvm-agent.netnsPrefix      starts the DHCP namespaces' names ("strato"); several
//                                     agents on one machine need one each
//   plugin.kvm-agent.metadataServer   the strato-metadata program for the flat Userdata service
//                                     (default: beside strato-agent)
//   plugin.kvm-agent.vmStatePollMs    how often libvirt is asked whether guests changed (2000)
//   plugin.kvm-agent.failCommands     commands (e.g. remote.kvm.StartVm) that fail on purpose, for
//                                     tests of what the management node does with a failure
//   plugin.kvm-agent.dieOnCommands    commands on which the agent dies at once, mid-command, for
//                                     tests of what the management node does then
//   plugin.kvm-agent.answerWithinMs   a command with a callback still running after this long
//                                     is answered "accepted" and called back when it ends (1000)
//   plugin.kvm-agent.dropCallbacks    true: never call back about long commands, for tests of a
//                                     management node that must ask for the reply instead
#include <cstdlib>
#include <filesystem>
#include <set>

#include <strato/sdk.h>

#include "agent_client/kvm_protocol.h"
#include "agent_client/shared_storage.h"
#include "guest_commands.h"
#include "heartbeat.h"
#include "host_files.h"
#include "host_network.h"
#include "libvirt_host.h"
#include "task_registry.h"
#include "vm_state_watcher.h"
#include "volume_files.h"

namespace {

using strato::Json;
using strato::Message;
using strato::Reply;
using Work = std::function<Reply(const Message&)>;

std::string text(const Message& m, const char* key) { return m.body.value(key, std::string()); }

// Programs installed with strato-agent are found beside it, wherever it was installed.
std::string besideThisProgram(const std::string& name) {
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? name : (self.parent_path() / name).string();
}

std::int64_t number(const Message& m, const char* key) {
  const Json& v = m.body.value(key, Json());
  return v.is_number_integer() ? v.get<std::int64_t>() : 0;
}

void registerNetworkCommands(strato::Registrar& r, std::shared_ptr<strato::kvm::HostNetwork> net,
                             const std::function<strato::RequestHandler(Work)>& asTask) {
  using namespace strato::kvm;
  for (bool realize : {true, false}) {
    r.handle(std::string(realize ? kRealizeL2 : kUnrealizeL2),
             asTask([net, realize](const Message& m) -> Reply {
               auto l2 = l2FromJson(m.body);
               if (!l2) return l2.error();
               return realize ? net->realize(*l2) : net->unrealize(*l2);
             }));
  }
  r.handle(std::string(kSetVxlanPeers), asTask([net](const Message& m) -> Reply {
             auto peers = vtepList(m.body.value("peers", Json::array()));
             if (!peers) return peers.error();
             if (number(m, "vni") <= 0) {
               return strato::makeError(strato::ErrorCode::kInvalidArgument,
                                        "vni must be positive");
             }
             return net->setPeers(number(m, "vni"), *peers);
           }));
}

void registerFileCommands(strato::Registrar& r, std::shared_ptr<strato::kvm::VolumeFiles> files,
                          const std::function<strato::RequestHandler(Work)>& asTask) {
  using namespace strato::kvm;
  r.handle(std::string(kDiskUsage), asTask([files](const Message& m) -> Reply {
             return files->diskUsage(text(m, "path"));
           }));
  r.handle(std::string(kCreateVolume), asTask([files](const Message& m) -> Reply {
             return files->create(text(m, "path"), number(m, "size"),
                                  m.body.value("format", std::string("qcow2")),
                                  text(m, "copyFrom"));
           }));
  r.handle(std::string(kReplaceVolume), asTask([files](const Message& m) -> Reply {
             return files->replace(text(m, "path"), text(m, "copyFrom"));
           }));
  r.handle(std::string(kDeleteFile), asTask([files](const Message& m) -> Reply {
             auto st = files->remove(text(m, "path"));
             return st ? Reply(Json::object()) : Reply(st.error());
           }));
  r.handle(std::string(kResizeVolume), asTask([files](const Message& m) -> Reply {
             return files->resize(text(m, "path"), number(m, "size"));
           }));
  r.handle(std::string(kVolumeInfo),
           asTask([files](const Message& m) -> Reply { return files->info(text(m, "path")); }));
  r.handle(std::string(kCopyFile), asTask([](const Message& m) -> Reply {
             auto copied = files::copy(text(m, "from"), text(m, "to"));
             return copied ? Reply(Json::object()) : Reply(copied.error());
           }));
}

strato::Status init(strato::Registrar& r) {
  const auto& config = r.config();
  auto grace = config.getInt("plugin.kvm-agent.stopGraceSeconds", 60);
  if (!grace) return grace.error();
  auto commandTimeout = config.getInt("plugin.kvm-agent.commandTimeoutSeconds", 3600);
  if (!commandTimeout) return commandTimeout.error();
  std::string uri = config.getString("plugin.kvm-agent.libvirtUri", "qemu:///system");
  auto opened =
      strato::kvm::LibvirtHost::open(uri, config.getString("plugin.kvm-agent.domainType", "auto"),
                                     config.getString("plugin.kvm-agent.consoleLogDir"));
  if (!opened) return opened.error();
  std::shared_ptr<strato::kvm::LibvirtHost> host = std::move(opened.value());

  auto dropCallbacks = config.getBool("plugin.kvm-agent.dropCallbacks", false);
  if (!dropCallbacks) return dropCallbacks.error();
  auto answerWithin = config.getInt("plugin.kvm-agent.answerWithinMs", 1000);
  if (!answerWithin) return answerWithin.error();
  auto tasks = std::make_shared<strato::kvm::TaskRegistry>(
      std::chrono::minutes(10), std::chrono::milliseconds(*answerWithin), !*dropCallbacks);
  r.onStop([tasks] { tasks->stop(); });
  auto& bus = r.bus();
  auto failing = config.getList("plugin.kvm-agent.failCommands");
  std::set<std::string> injected(failing.begin(), failing.end());
  auto dying = config.getList("plugin.kvm-agent.dieOnCommands");
  std::set<std::string> fatal(dying.begin(), dying.end());
  // Every command blocks (libvirt, qemu-img); one carrying a taskUuid runs once per uuid, and
  // one carrying a callback as well is answered within answerWithinMs, and called back when its
  // reply comes later (task_calls.h).
  auto asTask = [&bus, tasks, injected, fatal](Work command) -> strato::RequestHandler {
    Work work = [command, injected, fatal](const Message& m) -> Reply {
      if (fatal.count(m.type)) std::_Exit(70);  // as a crash would: no reply, no cleanup
      if (injected.count(m.type)) {
        return strato::makeError(strato::ErrorCode::kUnavailable, "injected failure of " + m.type,
                                 "plugin.kvm-agent.failCommands names it");
      }
      return command(m);
    };
    auto now = strato::blockingHandler(bus, [tasks, work](const Message& m) -> Reply {
      std::string task = m.body.value("taskUuid", std::string());
      return task.empty() ? work(m) : tasks->run(task, [&] { return work(m); });
    });
    return [&bus, tasks, work, now](Message m, strato::Replier reply) {
      std::string task = m.body.value("taskUuid", std::string());
      if (task.empty() || !m.body.contains("callback")) return now(std::move(m), std::move(reply));
      auto callback = strato::kvm::TaskRegistry::callbackFrom(m.body);
      if (!callback) return reply(callback.error());
      tasks->accept(
          task, std::move(*callback), [work, m] { return work(m); },
          [&bus](std::function<void()> job) { bus.postBlocking(std::move(job)); },
          std::move(reply));
    };
  };
  r.handle(std::string(strato::kvm::kGetTask), [tasks](Message m, strato::Replier reply) {
    reply(tasks->describe(text(m, "taskUuid")));
  });
  auto poll = config.getInt("plugin.kvm-agent.vmStatePollMs", 2000);
  if (!poll) return poll.error();
  auto watcher = std::make_shared<strato::kvm::VmStateWatcher>(
      host, std::chrono::milliseconds(std::max<std::int64_t>(*poll, 10)), r.logger());
  r.onStart([watcher]() -> strato::Status {
    watcher->start();
    return {};
  });
  r.onStop([watcher] { watcher->stop(); });
  auto heartbeat = std::make_shared<strato::kvm::Heartbeat>(r.logger());
  r.onStop([heartbeat] { heartbeat->stop(); });
  r.handle(std::string(strato::kvm::kReadHeartbeat), asTask([](const Message& m) -> Reply {
             auto beat = strato::kvm::files::readSmall(
                 strato::agent::heartbeatPath(text(m, "root"), text(m, "hostUuid")));
             if (!beat) return beat.error();
             return *beat ? Json{{"beat", **beat}} : Json::object();
           }));
  r.handle(std::string(strato::kvm::kFacts),
           asTask([host, watcher, heartbeat](const Message& m) -> Reply {
             noteManager(*watcher, m.body);
             heartbeat->configure(m.body);
             auto facts = host->facts();
             if (!facts) return facts.error();
             (*facts)["agentVersion"] = std::string(strato::kSdkVersion);
             return facts;
           }));
  r.handle(std::string(strato::kvm::kPing),
           asTask([host, watcher, heartbeat](const Message& m) -> Reply {
             if (auto st = host->ping(); !st) return st.error();
             noteManager(*watcher, m.body);
             heartbeat->configure(m.body);
             return Json{{"libvirtUri", host->uri()}};
           }));
  strato::kvm::GuestSettings settings{
      std::chrono::seconds(*grace),
      config.getString("plugin.kvm-agent.advertisedIp", config.getString("http.host"))};
  auto dryRun = config.getBool("plugin.kvm-agent.dryRunNetwork", false);
  if (!dryRun) return dryRun.error();
  auto dhcp = std::make_shared<strato::kvm::DhcpServers>(strato::kvm::DhcpSettings{
      config.getString("plugin.kvm-agent.dhcpDir", "/var/lib/strato-agent/dhcp"),
      config.getString("plugin.kvm-agent.netnsPrefix", "strato"),
      config.getString("plugin.kvm-agent.metadataServer", besideThisProgram("strato-metadata")),
      *dryRun, std::chrono::seconds(60)});
  strato::kvm::registerGuestCommands(r, host, dhcp, settings, asTask,
                                     [watcher](const std::string& vm) { watcher->settle(vm); });
  registerFileCommands(
      r, std::make_shared<strato::kvm::VolumeFiles>(std::chrono::seconds(*commandTimeout)), asTask);
  registerNetworkCommands(
      r, std::make_shared<strato::kvm::HostNetwork>(*dryRun, std::chrono::seconds(60)), asTask);
  r.logger().info("kvm-agent ready libvirtUri=" + uri);
  return {};
}

}  // namespace

STRATO_PLUGIN("kvm-agent", "0.1.0", init)
