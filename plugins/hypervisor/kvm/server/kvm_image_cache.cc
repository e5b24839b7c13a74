// Filling a KVM host's image cache (kCacheImageMessage): the backup storage writes the file to
// the host over SSH with the host's credentials, which only this plugin keeps.
#include <strato/backup_storage.h>
#include <strato/handler_util.h>
#include <strato/rendering.h>

#include "agent_client/kvm_protocol.h"
#include "kvm_apis.h"

namespace strato::kvm {

void registerImageCache(Registrar& r, std::shared_ptr<KvmAgents> agents) {
  auto& bus = r.bus();
  r.handle(std::string(kCacheImageMessage), [&bus, agents](Message m, Replier reply) {
    auto shared = share(std::move(reply));
    bus.postBlocking([&bus, agents, body = m.body, shared] {
      std::string path = textParam(body, "path");
      auto host = agents->host(textParam(body, "hostUuid"));
      if (!host) return (*shared)(host.error());
      // A file there already was filled whole: fills write beside it and rename.
      if (agents->call(host->managementIp, kVolumeInfo, Json{{"path", path}})) {
        return (*shared)(Json::object());
      }
      auto target = agents->sshTarget(host->managementIp, host->credentials);
      Json send{{"backupStorageUuid", body.value("backupStorageUuid", "")},
                {"installPath", body.value("installPath", "")},
                {"path", path},
                {"ssh", sshTargetJson(target)}};
      bus.request({std::string(kSendImageMessage), "", send},
                  [shared](Reply sent) { (*shared)(std::move(sent)); },
                  agents->settings().callTimeout);
    });
  });
}

}  // namespace strato::kvm
