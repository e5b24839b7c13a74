// The schedulers of sections 3.1.40-42 and 3.2.26: a VM started, stopped or rebooted, or a
// volume's snapshot taken, at times given as a start time, an interval and a repeat count
// ("simple") or as a Quartz cron expression ("cron"). Each fire sends the API's own message, queued
// on its VM or volume like a call of the API, and records when the next one is due. Blocking
// (SQL): run on the bus's blocking pool.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <strato/sdk.h>

namespace strato::scheduler {

// What a scheduler does when it fires.
struct JobKind {
  std::string api;      // the creating API, e.g. "CreateStartVmInstanceScheduler"
  std::string job;      // schedulerJob, e.g. "StartVmInstanceJob"
  std::string target;   // the API's path parameter naming the target: "vmUuid" / "volumeUuid"
  std::string action;   // the API it calls, e.g. "StartVmInstance"
  std::string message;  // that API's bus message, e.g. "vm.StartVmInstance"
};
const std::vector<JobKind>& jobKinds();

class SchedulerService : public std::enable_shared_from_this<SchedulerService> {
 public:
  SchedulerService(MessageBus& bus, Database& db, Logger& logger)
      : bus_(bus), db_(db), logger_(logger) {}

  // {"uuid"} of the new scheduler.
  Reply create(const JobKind& kind, const Json& params);
  // ChangeSchedulerState: enable (due again from now on) or disable.
  Reply changeState(const Json& params);
  Reply remove(const Json& params);

  // Fires every Enabled scheduler that is due, once each (missed fires are not made up), and
  // drops schedulers whose VM or volume is gone.
  void tick();

 private:
  void fire(const JobKind& kind, const std::string& uuid, const std::string& target,
            const Json& jobData);
  void sweepOrphans();

  MessageBus& bus_;
  Database& db_;
  Logger& logger_;
};

}  // namespace strato::scheduler
