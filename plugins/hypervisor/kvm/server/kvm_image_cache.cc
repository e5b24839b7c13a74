// Filling a KVM host's image cache (kCacheImageMessage): the backup storage writes the file to
// the host over SSH with the host's credentials, which only this plugin keeps. SSH reaches only
// the host's own disks, so a cache on an NFS share (an nfs:// path) is filled through a staging
// file in the agent's directory, which the agent then copies onto the share.
#include <strato/backup_storage.h>
#include <strato/handler_util.h>
#include <strato/rendering.h>

#include "agent_client/kvm_protocol.h"
#include "kvm_apis.h"

namespace strato::kvm {
namespace {

Reply fill(MessageBus& bus, const KvmAgents& agents, const Json& body) {
  std::string path = textParam(body, "path");
  auto host = agents.host(textParam(body, "hostUuid"));
  if (!host) return host.error();
  // A file there already was filled whole: fills write beside it and rename.
  if (agents.call(host->managementIp, kVolumeInfo, Json{{"path", path}})) return Json::object();
  bool onShare = path.rfind("nfs://", 0) == 0;
  std::string written = onShare ? agents.stagingPath() : path;
  Json send{{"backupStorageUuid", body.value("backupStorageUuid", "")},
            {"installPath", body.value("installPath", "")},
            {"path", written},
            {"ssh", sshTargetJson(agents.sshTarget(host->managementIp, host->credentials))}};
  auto sent = call(bus, {std::string(kSendImageMessage), "", send}, agents.settings().callTimeout);
  if (!sent || !onShare) return sent;
  auto copied = agents.call(host->managementIp, kCopyFile, Json{{"from", written}, {"to", path}});
  (void)agents.call(host->managementIp, kDeleteFile, Json{{"path", written}});
  if (!copied) return failedWhile(copied.error(), "copying the image onto " + path);
  return Json::object();
}

}  // namespace

void registerImageCache(Registrar& r, std::shared_ptr<KvmAgents> agents) {
  auto& bus = r.bus();
  r.handle(std::string(kCacheImageMessage), blockingHandler(bus, [&bus, agents](const Message& m) {
             return fill(bus, *agents, m.body);
           }));
}

}  // namespace strato::kvm
