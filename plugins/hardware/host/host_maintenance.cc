#include "host_maintenance.h"

#include <memory>

#include "host_store.h"

namespace strato::host {
namespace {

Status setState(Database& db, const std::string& uuid, const std::string& state) {
  auto changed = db.execute("UPDATE host SET state = ?, lastOpDate = ? WHERE uuid = ?",
                            {state, nowMillis(), uuid});
  if (!changed) return changed.error();
  return {};
}

// Asks each evacuator in turn (one per plugin that keeps things on hosts: the vm plugin).
void evacuate(std::vector<std::shared_ptr<HostEvacuator>> evacuators, std::size_t next,
              const std::string& uuid, bool stopOnFailure, Json moved,
              std::function<void(Result<Json>)> done) {
  if (next == evacuators.size()) return done(std::move(moved));
  auto evacuator = evacuators[next];
  evacuator->evacuate(uuid, stopOnFailure,
                      [evacuators = std::move(evacuators), next, uuid, stopOnFailure,
                       moved = std::move(moved), done](Result<Json> result) mutable {
                        if (!result) return done(result.error());
                        moved.merge_patch(*result);
                        evacuate(std::move(evacuators), next + 1, uuid, stopOnFailure,
                                 std::move(moved), std::move(done));
                      });
}

}  // namespace

void changeHostState(const MaintenanceContext& c, const Json& params, Replier replier) {
  auto reply = std::make_shared<Replier>(std::move(replier));
  std::string uuid = params["uuid"];
  std::string event = params["stateEvent"];
  c.bus.postBlocking([c, uuid, event, reply] {
    auto host = loadRecord(c.db, uuid);
    if (!host) return (*reply)(host.error());
    if (event != "maintain") {
      if (auto s = setState(c.db, uuid, event == "enable" ? "Enabled" : "Disabled"); !s)
        return (*reply)(s.error());
      return (*reply)(hostReply(c.db, uuid));
    }
    // PreMaintenance keeps the allocator away while the VMs leave.
    if (auto s = setState(c.db, uuid, "PreMaintenance"); !s) return (*reply)(s.error());
    c.logger.info("host.maintenance.entering uuid=" + uuid);
    bool stopOnFailure =
        c.config.get("host", "host.maintenance.policy") == "StopVmOnMigrationFailure";
    evacuate(c.extensions.all<HostEvacuator>(), 0, uuid, stopOnFailure, Json::object(),
             [c, uuid, before = host->state, reply](Result<Json> moved) {
               c.bus.postBlocking([c, uuid, before, reply, moved = std::move(moved)] {
                 if (!moved) {
                   // What did leave stays where it went; the host is as it was before.
                   (void)setState(c.db, uuid, before == "PreMaintenance" ? "Disabled" : before);
                   c.logger.warn("host.maintenance.failed uuid=" + uuid +
                                 " error=" + moved.error().describe());
                   return (*reply)(moved.error());
                 }
                 if (auto s = setState(c.db, uuid, "Maintenance"); !s) return (*reply)(s.error());
                 c.logger.info("host.maintenance.entered uuid=" + uuid + " " + moved->dump());
                 (*reply)(hostReply(c.db, uuid));
               });
             });
  });
}

}  // namespace strato::host
