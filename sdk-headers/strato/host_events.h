// What the host plugin publishes about hosts, and the usual way to follow a host into what hangs
// on its cluster (primary storage mounts it, L2 networks are realized on it). Header-only.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "strato/bus.h"
#include "strato/registrar.h"

namespace strato {

// Body {"uuid", "oldStatus", "newStatus"}, on every status change of a host.
inline constexpr std::string_view kHostStatusChangedEvent = "host.StatusChanged";
// Body {"uuid", "hypervisorType", "clusterUuid"}, once a host's row is gone: drivers drop what
// they keep of it.
inline constexpr std::string_view kHostDeletedEvent = "host.Deleted";

// When a host becomes Connected: `resourcesOf(host)` (blocking, on the blocking pool) names this
// plugin's resources that must take the host in, and `join(resource, host)` (blocking) runs for
// each in the resource's own queue, as request `joinMessage`, so it never races an API call on
// that resource. Failures are logged with `what` ("primaryStorage.hostJoined").
inline void followConnectedHosts(
    Registrar& r, std::string joinMessage,
    std::function<Result<std::vector<std::string>>(const std::string& host)> resourcesOf,
    std::function<Status(const std::string& resource, const std::string& host)> join,
    std::string what) {
  auto& bus = r.bus();
  auto& logger = r.logger();
  r.handle(joinMessage, blockingHandler(bus, [join](const Message& m) -> Reply {
             auto joined = join(m.resourceUuid, m.body.value("hostUuid", ""));
             if (!joined) return joined.error();
             return Json::object();
           }));
  r.subscribe(std::string(kHostStatusChangedEvent), [&bus, &logger, joinMessage, resourcesOf,
                                                     what](const Message& e) {
    if (e.body.value("newStatus", "") != "Connected") return;
    std::string host = e.body.value("uuid", "");
    bus.postBlocking([&bus, &logger, joinMessage, resourcesOf, what, host] {
      auto resources = resourcesOf(host);
      if (!resources) {
        logger.warn(what + ".failed host=" + host + " error=" + resources.error().describe());
        return;
      }
      for (const auto& uuid : *resources) {
        bus.request({joinMessage, uuid, {{"hostUuid", host}}},
                    [&logger, what, uuid, host](Reply done) {
                      if (!done) {
                        logger.warn(what + ".failed uuid=" + uuid + " host=" + host +
                                    " error=" + done.error().describe());
                      }
                    });
      }
    });
  });
}

}  // namespace strato
