// Copying files between KVM hosts (kCopyHostFilesMessage), for LocalStorage volumes that move
// to another host's disk. Hosts share no credentials, so the bytes stream through this node:
// read over SSH on one host, written over SSH on the other, in chunks (ssh::copyFile). And the
// SSH target of a host (kHostSshTargetMessage), for the storage plugins' copies off hosts, and
// copies of files on NFS shares where SSH reaches them (kStageFileMessage).
#include <strato/handler_util.h>

#include "agent_client/kvm_protocol.h"
#include "kvm_apis.h"

namespace strato::kvm {
namespace {

Status copyFile(const ssh::Target& from, const ssh::Target& to, const std::string& path) {
  if (path.empty() || path.front() != '/' || path.rfind('/') == 0) {
    return invalidArgument("a file to copy between hosts needs an absolute path", path);
  }
  auto copied = ssh::copyFile(from, path, to, path);
  if (!copied) return failedWhile(copied.error(), "copying " + path);
  return {};
}

}  // namespace

void registerHostCopy(Registrar& r, std::shared_ptr<KvmAgents> agents) {
  auto& bus = r.bus();
  r.handle(std::string(kCopyHostFilesMessage),
           blockingHandler(bus, [agents](const Message& m) -> Reply {
             auto from = agents->host(textParam(m.body, "fromHostUuid"));
             if (!from) return from.error();
             auto to = agents->host(textParam(m.body, "toHostUuid"));
             if (!to) return to.error();
             auto source = agents->sshTarget(from->managementIp, from->credentials);
             auto dest = agents->sshTarget(to->managementIp, to->credentials);
             // A volume of hundreds of GB takes a while; SSH's own timeout is per read.
             for (const auto& path : m.body.value("paths", std::vector<std::string>{})) {
               if (auto copied = copyFile(source, dest, path); !copied) return copied.error();
             }
             return Json::object();
           }));
  r.handle(std::string(kHostSshTargetMessage),
           blockingHandler(bus, [agents](const Message& m) -> Reply {
             auto host = agents->host(textParam(m.body, "hostUuid"));
             if (!host) return host.error();
             return sshTargetJson(agents->sshTarget(host->managementIp, host->credentials));
           }));
  r.handle(std::string(kStageFileMessage),
           blockingHandler(bus, [agents](const Message& m) -> Reply {
             auto host = agents->host(textParam(m.body, "hostUuid"));
             if (!host) return host.error();
             std::string path = textParam(m.body, "path"), staged = agents->stagingPath();
             auto copied =
                 agents->call(host->managementIp, kCopyFile, Json{{"from", path}, {"to", staged}});
             if (!copied) return failedWhile(copied.error(), "copying " + path + " off the share");
             return Json{{"path", staged}};
           }));
}

}  // namespace strato::kvm
