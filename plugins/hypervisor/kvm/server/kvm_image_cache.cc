// Filling a KVM host's image cache (kCacheImageMessage): the backup storage writes the file to
// the host over SSH with the host's credentials, which only this plugin keeps.
#include <strato/backup_storage.h>
#include <strato/handler_util.h>
#include <strato/rendering.h>

#include "agent_client/kvm_protocol.h"
#include "kvm_apis.h"

namespace strato::kvm {

void registerImageCache(Registrar& r, std::shared_ptr<KvmAgents> agents,
                        std::shared_ptr<KvmHostStore> store) {
  auto& bus = r.bus();
  auto& db = r.database();
  r.handle(std::string(kCacheImageMessage), [&bus, &db, agents, store](Message m, Replier reply) {
    auto shared = share(std::move(reply));
    bus.postBlocking([&bus, &db, agents, store, body = m.body, shared] {
      std::string host = textParam(body, "hostUuid"), path = textParam(body, "path");
      auto ip = textColumn(db, "SELECT managementIp FROM host WHERE uuid = ?", {host});
      auto creds = store->get(host);
      if (!ip || ip->empty() || !creds) {
        return (*shared)(makeError(ErrorCode::kNotFound, "no KVM host " + host));
      }
      // A file there already was filled whole: fills write beside it and rename.
      if (agents->call(ip->front(), kVolumeInfo, Json{{"path", path}})) {
        return (*shared)(Json::object());
      }
      auto target = agents->sshTarget(ip->front(), *creds);
      Json send{{"backupStorageUuid", body.value("backupStorageUuid", "")},
                {"installPath", body.value("installPath", "")},
                {"path", path},
                {"ssh",
                 {{"host", target.host},
                  {"port", target.port},
                  {"user", target.user},
                  {"password", target.password},
                  {"hostKey", target.knownHostKey}}}};
      bus.request({std::string(kSendImageMessage), "", send},
                  [shared](Reply sent) { (*shared)(std::move(sent)); },
                  agents->settings().callTimeout);
    });
  });
}

}  // namespace strato::kvm
