// Schedulers (sections 3.1.40-42 and 3.2.26 of the ZStack manual, with ChangeSchedulerState of
// 9.3.12): VMs started, stopped and rebooted, and volume snapshots taken, on a timetable. Plugin
// name `scheduler`. QueryScheduler and DeleteScheduler are not in the manual; ZStack serves them
// at /schedulers, and without them a scheduler could not be listed or removed.
#include <strato/periodic.h>
#include <strato/rendering.h>
#include <strato/sdk.h>

#include "scheduler_service.h"

namespace {

using strato::ApiDeclaration;
using strato::Json;
using strato::Message;
using strato::Reply;
using strato::scheduler::SchedulerService;

strato::Migration tables() {
  return {1,
          "schedulers",
          {"CREATE TABLE scheduler (uuid VARCHAR(32) PRIMARY KEY, targetResourceUuid VARCHAR(32) "
           "NOT NULL, schedulerName VARCHAR(255) NOT NULL, schedulerDescription TEXT, "
           "schedulerJob VARCHAR(64) NOT NULL, schedulerType VARCHAR(16) NOT NULL, "
           "schedulerInterval BIGINT, repeatCount BIGINT, cronScheduler VARCHAR(255), "
           "startTime BIGINT NOT NULL, stopTime BIGINT, state VARCHAR(32) NOT NULL, "
           // What the job needs besides its target (a start's host, a snapshot's name), the
           // fires so far, and when the next one is due (NULL: done).
           "jobData TEXT NOT NULL, fired BIGINT NOT NULL DEFAULT 0, nextFireTime BIGINT, "
           "createDate BIGINT NOT NULL, lastOpDate BIGINT NOT NULL)",
           "CREATE INDEX scheduler_target ON scheduler (targetResourceUuid)",
           "CREATE INDEX scheduler_due ON scheduler (state, nextFireTime)"}};
}

void addSchema(strato::Registrar& r) {
  r.addMigrations({tables()});
  using F = strato::FieldType;
  strato::InventorySchema schema{"Scheduler",
                                 "scheduler",
                                 "org.zstack.header.core.scheduler.SchedulerInventory",
                                 {{"uuid"},
                                  {"targetResourceUuid"},
                                  {"schedulerName"},
                                  {"schedulerJob"},
                                  {"schedulerType"},
                                  {"schedulerInterval", F::kInteger},
                                  {"repeatCount", F::kInteger},
                                  {"cronScheduler"},
                                  {"startTime", F::kDate},
                                  {"stopTime", F::kDate},
                                  {"createDate", F::kDate},
                                  {"lastOpDate", F::kDate},
                                  {"state"}},
                                 {}};
  schema.ownedByAccount = true;
  r.addInventory(schema);
}

// Declared in full, as the manual lists them: the catalog runs the allowed types "simple" and
// "cron" together into one value, which would refuse both.
std::vector<strato::ApiParam> createParams(const strato::scheduler::JobKind& kind) {
  using strato::ParamType;
  std::vector<strato::ApiParam> params{{kind.target, ParamType::kString, true},
                                       {"schedulerName", ParamType::kString, true},
                                       {"schedulerDescription", ParamType::kString, false},
                                       {"type", ParamType::kString, true, {"simple", "cron"}},
                                       {"interval", ParamType::kInteger, false},
                                       {"repeatCount", ParamType::kInteger, false},
                                       {"startTime", ParamType::kLong, false},
                                       {"cron", ParamType::kString, false},
                                       {"resourceUuid", ParamType::kString, false},
                                       {"systemTags", ParamType::kList, false},
                                       {"userTags", ParamType::kList, false}};
  if (kind.job == "StartVmInstanceJob") {
    params.push_back({"clusterUuid", ParamType::kString, false});
    params.push_back({"hostUuid", ParamType::kString, false});
  }
  if (kind.job == "CreateVolumeSnapshotJob") {
    params.push_back({"snapShotName", ParamType::kString, true});
    params.push_back({"volumeSnapshotDescription", ParamType::kString, false});
  }
  return params;
}

strato::Status init(strato::Registrar& r) {
  addSchema(r);
  auto& bus = r.bus();
  auto service = std::make_shared<SchedulerService>(bus, r.database(), r.logger());

  // Handlers that answer {"uuid"} reply with the scheduler as QueryScheduler renders it.
  auto serve = [&r, &bus](ApiDeclaration decl, std::function<Reply(const Json&)> work) {
    decl.messageType = "scheduler." + decl.name;
    decl.inventory = "Scheduler";
    r.addApi(decl);
    r.handle(decl.messageType, [&bus, work](Message m, strato::Replier replier) {
      auto reply = strato::share(std::move(replier));
      bus.postBlocking([&bus, work, reply, params = m.body["params"]] {
        auto done = work(params);
        if (!done) return (*reply)(done.error());
        strato::replyInventory(bus, "Scheduler", (*done)["uuid"], reply);
      });
    });
  };
  for (const auto& kind : strato::scheduler::jobKinds()) {
    ApiDeclaration create;
    create.name = kind.api;
    create.params = createParams(kind);
    serve(create, [service, kind](const Json& p) { return service->create(kind, p); });
  }
  ApiDeclaration state;
  state.name = "ChangeSchedulerState";
  serve(state, [service](const Json& p) { return service->changeState(p); });

  ApiDeclaration query;
  query.name = "QueryScheduler";
  query.inventory = "Scheduler";
  query.method = strato::HttpMethod::kGet;
  query.path = "/zstack/v1/schedulers";
  query.responseKind = "inventories";
  query.extraPaths = {"/zstack/v1/schedulers/{uuid}"};
  r.addApi(query);

  ApiDeclaration remove;
  remove.name = "DeleteScheduler";
  remove.method = strato::HttpMethod::kDelete;
  remove.path = "/zstack/v1/schedulers/{uuid}";
  remove.params = {{"uuid", strato::ParamType::kString, true},
                   {"deleteMode", strato::ParamType::kString, false, {"Permissive", "Enforcing"}}};
  remove.responseKind = "empty";
  remove.messageType = "scheduler.DeleteScheduler";
  r.addApi(remove);
  r.handle(remove.messageType, strato::blockingHandler(bus, [service](const Message& m) {
             return service->remove(m.body["params"]);
           }));

  // Due times are in seconds: a look every second fires each on time.
  auto clock = std::make_shared<strato::PeriodicTask>(
      [] { return std::chrono::milliseconds(1000); }, [service] { service->tick(); });
  r.onStart([clock]() -> strato::Status {
    clock->start();
    return {};
  });
  r.onStop([clock] { clock->stop(); });
  return {};
}

}  // namespace

STRATO_PLUGIN("scheduler", "0.1.0", init)
