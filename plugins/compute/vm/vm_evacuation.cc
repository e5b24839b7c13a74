#include "vm_evacuation.h"

#include <memory>
#include <set>

namespace strato::vm {
namespace {

// One evacuation. VMs are taken one at a time, and the host's VMs are read again before each: a
// VM whose start placed it on the host just before PreMaintenance is found too.
struct Evacuation : std::enable_shared_from_this<Evacuation> {
  MessageBus& bus;
  Database& db;
  std::string host;
  bool stopOnFailure;
  std::chrono::milliseconds timeout;
  std::function<void(Result<Json>)> done;
  std::set<std::string> tried;
  Json migrated = Json::array();
  Json stopped = Json::array();

  Evacuation(MessageBus& b, Database& d, std::string h, bool stop, std::chrono::milliseconds t,
             std::function<void(Result<Json>)> finished)
      : bus(b), db(d), host(std::move(h)), stopOnFailure(stop), timeout(t),
        done(std::move(finished)) {}

  void next() {
    bus.postBlocking([self = shared_from_this()] {
      auto rows = self->db.query(
          "SELECT uuid FROM vm_instance WHERE hostUuid = ? ORDER BY createDate, uuid", {self->host});
      if (!rows) return self->done(rows.error());
      std::string left;
      for (const auto& row : rows->rows) {
        std::string uuid = dbText(row[0]);
        if (self->tried.insert(uuid).second) return self->move(uuid);
        left += (left.empty() ? "" : ", ") + uuid;
      }
      // Every VM was moved or stopped, yet these are back (started here again meanwhile).
      if (!left.empty())
        return self->done(makeError(ErrorCode::kConflict,
                                    "VMs still hold host " + self->host + " after evacuation", left));
      self->done(Json{{"migrated", self->migrated}, {"stopped", self->stopped}});
    });
  }

  void move(const std::string& vm) {
    bus.request(
        {"vm.MigrateVmQueued", vm, {{"params", {{"vmInstanceUuid", vm}}}}},
        [self = shared_from_this(), vm](Reply moved) {
          if (moved) {
            self->migrated.push_back(vm);
            return self->next();
          }
          self->bus.postBlocking([self, vm, moved] { self->afterRefusal(vm, moved.error()); });
        },
        timeout);
  }

  // The migration was refused. A VM that left the host meanwhile (a stop or destroy queued before
  // it) is no failure; one still there is stopped or fails the evacuation.
  void afterRefusal(const std::string& vm, const Error& refusal) {
    auto still = db.query("SELECT 1 FROM vm_instance WHERE uuid = ? AND hostUuid = ?", {vm, host});
    if (still && still->rows.empty()) return next();
    if (stopOnFailure) return stop(vm, refusal);
    done(makeError(refusal.code, "VM " + vm + " cannot leave host " + host + ": " + refusal.message,
                   "host.maintenance.policy StopVmOnMigrationFailure would stop it instead"));
  }

  void stop(const std::string& vm, const Error& whyNotMigrated) {
    bus.request(
        {"vm.StopVmInstance", vm, {{"params", {{"uuid", vm}}}}},
        [self = shared_from_this(), vm, whyNotMigrated](Reply stoppedVm) {
          if (!stoppedVm) {
            return self->done(makeError(stoppedVm.error().code,
                                        "VM " + vm + " neither migrates nor stops: " +
                                            stoppedVm.error().message,
                                        "migration: " + whyNotMigrated.describe()));
          }
          self->stopped.push_back(vm);
          self->next();
        },
        timeout);
  }
};

}  // namespace

void VmEvacuator::evacuate(const std::string& hostUuid, bool stopOnMigrationFailure,
                           std::function<void(Result<Json>)> done) {
  // A migration of a large guest outlasts the bus's default timeout; an API's may take as long.
  std::chrono::milliseconds timeout(config_.getInt("api", "timeout", 1800000));
  std::make_shared<Evacuation>(bus_, db_, hostUuid, stopOnMigrationFailure, timeout,
                               std::move(done))
      ->next();
}

}  // namespace strato::vm
