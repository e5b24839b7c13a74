#include "scheduler_service.h"

#include <strato/handler_util.h>

#include "cron.h"

namespace strato::scheduler {
namespace {

constexpr std::int64_t kSecond = 1000;

// How a scheduler's times are given, as its row keeps them (ms since the epoch).
struct Timing {
  std::string type;  // "simple" or "cron"
  std::int64_t start = 0;
  std::int64_t interval = 0;  // seconds
  std::optional<std::int64_t> repeatCount;
  std::string cron;
};

// The first fire after `after` (ms), the (fired + 1)th; none when the repeats are used up, or the
// cron expression matches no time ahead. Fires missed while the node was down are not made up.
Result<std::optional<std::int64_t>> nextFire(const Timing& t, std::int64_t fired,
                                             std::int64_t after) {
  if (t.type == "cron") {
    auto schedule = parseCron(t.cron);
    if (!schedule) return schedule.error();
    auto at = scheduler::nextFire(*schedule, std::max(after, t.start - 1) / kSecond);
    if (!at) return std::optional<std::int64_t>{};
    return std::optional<std::int64_t>{*at * kSecond};
  }
  if (t.repeatCount && fired >= *t.repeatCount) return std::optional<std::int64_t>{};
  std::int64_t step = t.interval * kSecond;
  if (t.start > after) return std::optional<std::int64_t>{t.start};
  return std::optional<std::int64_t>{t.start + ((after - t.start) / step + 1) * step};
}

Timing timingOf(const std::vector<DbValue>& r, std::size_t first) {
  Timing t{dbText(r[first]), dbInt(r[first + 1]), dbInt(r[first + 2]), std::nullopt,
           dbText(r[first + 4])};
  if (!std::holds_alternative<std::monostate>(r[first + 3])) t.repeatCount = dbInt(r[first + 3]);
  return t;
}
constexpr const char* kTimingColumns =
    "schedulerType, startTime, schedulerInterval, repeatCount, cronScheduler";

// A number parameter, absent as nullopt. The kernel has checked it is whole (SDKs send 5.0).
std::optional<std::int64_t> wholeNumber(const Json& p, const char* key) {
  if (!p.contains(key) || !p[key].is_number()) return std::nullopt;
  return static_cast<std::int64_t>(p[key].get<double>());
}

DbValue nullable(const std::optional<std::int64_t>& v) { return v ? DbValue{*v} : DbValue{}; }
DbValue nullable(const std::string& s) { return s.empty() ? DbValue{} : DbValue{s}; }

const JobKind* kindOfJob(const std::string& job) {
  for (const auto& k : jobKinds())
    if (k.job == job) return &k;
  return nullptr;
}

bool onVm(const JobKind& kind) { return kind.target == "vmUuid"; }

}  // namespace

const std::vector<JobKind>& jobKinds() {
  static const std::vector<JobKind> kinds{
      {"CreateStartVmInstanceScheduler", "StartVmInstanceJob", "vmUuid", "StartVmInstance",
       "vm.StartVmInstance"},
      {"CreateStopVmInstanceScheduler", "StopVmInstanceJob", "vmUuid", "StopVmInstance",
       "vm.StopVmInstance"},
      {"CreateRebootVmInstanceScheduler", "RebootVmInstanceJob", "vmUuid", "RebootVmInstance",
       "vm.RebootVmInstance"},
      {"CreateVolumeSnapshotScheduler", "CreateVolumeSnapshotJob", "volumeUuid",
       "CreateVolumeSnapshot", "volume.CreateVolumeSnapshot"}};
  return kinds;
}

Reply SchedulerService::create(const JobKind& kind, const Json& p) {
  std::string uuid = textParam(p, "resourceUuid", newUuid());
  if (!isUuid(uuid)) return invalidArgument("resourceUuid must be 32 hex digits", uuid);
  std::string target = textParam(p, kind.target.c_str());
  auto found = db_.query(
      std::string("SELECT 1 FROM ") + (onVm(kind) ? "vm_instance" : "volume") + " WHERE uuid = ?",
      {target});
  if (!found) return found.error();
  if (found->rows.empty())
    return invalidArgument(kind.target + " names no " + (onVm(kind) ? "VM" : "volume"), target);
  std::string name = textParam(p, "schedulerName");
  if (name.empty()) return invalidArgument("schedulerName must not be empty");

  Timing t;
  t.type = textParam(p, "type");
  auto now = nowMillis();
  std::int64_t start = wholeNumber(p, "startTime").value_or(0);
  if (start < 0) return invalidArgument("startTime is seconds since the epoch, or 0 for now");
  t.start = start == 0 ? now : start * kSecond;
  if (t.start < now - kSecond)
    return invalidArgument("startTime is in the past; 0 starts now", std::to_string(start));
  std::optional<std::int64_t> stop;
  if (t.type == "simple") {
    auto interval = wholeNumber(p, "interval");
    t.repeatCount = wholeNumber(p, "repeatCount");
    if (!interval || *interval < 1)
      return invalidArgument("a simple scheduler needs an interval of at least 1 second");
    if (t.repeatCount && *t.repeatCount < 1)
      return invalidArgument("repeatCount must be at least 1");
    t.interval = *interval;
    if (t.repeatCount) stop = t.start + (*t.repeatCount - 1) * t.interval * kSecond;
  } else if (t.type == "cron") {
    t.cron = textParam(p, "cron");
    if (t.cron.empty()) return invalidArgument("a cron scheduler needs a cron expression");
  } else {
    return invalidArgument("type must be simple or cron", t.type);
  }
  auto next = nextFire(t, 0, now - 1);
  if (!next) return next.error();
  if (!*next) return invalidArgument("the cron expression matches no time ahead", t.cron);

  Json jobData = Json::object();
  if (kind.job == "StartVmInstanceJob") {
    for (const char* key : {"clusterUuid", "hostUuid"})
      if (std::string v = textParam(p, key); !v.empty()) jobData[key] = v;
  } else if (kind.job == "CreateVolumeSnapshotJob") {
    std::string snapshot = textParam(p, "snapShotName");
    if (snapshot.empty()) return invalidArgument("snapShotName must not be empty");
    jobData["name"] = snapshot;
    if (std::string d = textParam(p, "volumeSnapshotDescription"); !d.empty())
      jobData["description"] = d;
  }
  auto inserted = db_.execute(
      "INSERT INTO scheduler (uuid, targetResourceUuid, schedulerName, schedulerDescription, "
      "schedulerJob, schedulerType, schedulerInterval, repeatCount, cronScheduler, startTime, "
      "stopTime, state, jobData, fired, nextFireTime, createDate, lastOpDate) VALUES (?, ?, ?, ?, "
      "?, ?, ?, ?, ?, ?, ?, 'Enabled', ?, 0, ?, ?, ?)",
      {uuid, target, name, nullable(textParam(p, "schedulerDescription")), kind.job, t.type,
       t.type == "simple" ? DbValue{t.interval} : DbValue{}, nullable(t.repeatCount),
       nullable(t.cron), t.start, nullable(stop), jobData.dump(), **next, now, now});
  if (!inserted) {
    auto existing = db_.query("SELECT 1 FROM scheduler WHERE uuid = ?", {uuid});
    if (existing && !existing->rows.empty())
      return makeError(ErrorCode::kAlreadyExists, "a resource with uuid " + uuid + " exists");
    return inserted.error();
  }
  logger_.info("scheduler.created uuid=" + uuid + " job=" + kind.job + " target=" + target);
  return Json{{"uuid", uuid}};
}

Reply SchedulerService::changeState(const Json& p) {
  std::string uuid = textParam(p, "uuid");
  std::string event = textParam(p, "stateEvent");
  if (event != "enable" && event != "disable")
    return invalidArgument("stateEvent must be enable or disable", event);
  auto rows = db_.query(
      std::string("SELECT fired, ") + kTimingColumns + " FROM scheduler WHERE uuid = ?", {uuid});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return makeError(ErrorCode::kNotFound, "no scheduler " + uuid);
  DbValue next;
  if (event == "enable") {
    // Due again from now on: what fell due while it was disabled is not made up.
    auto at = nextFire(timingOf(rows->rows[0], 1), dbInt(rows->rows[0][0]), nowMillis() - 1);
    if (!at) return at.error();
    if (*at) next = **at;
  }
  auto changed = db_.execute(
      "UPDATE scheduler SET state = ?, nextFireTime = CASE WHEN ? = 'enable' THEN ? ELSE "
      "nextFireTime END, lastOpDate = ? WHERE uuid = ?",
      {event == "enable" ? "Enabled" : "Disabled", event, next, nowMillis(), uuid});
  if (!changed) return changed.error();
  return Json{{"uuid", uuid}};
}

Reply SchedulerService::remove(const Json& p) {
  auto removed = db_.execute("DELETE FROM scheduler WHERE uuid = ?", {textParam(p, "uuid")});
  if (!removed) return removed.error();
  return Json::object();
}

void SchedulerService::sweepOrphans() {
  auto orphans = db_.query(
      "SELECT s.uuid FROM scheduler s WHERE CASE WHEN s.schedulerJob = 'CreateVolumeSnapshotJob' "
      "THEN NOT EXISTS (SELECT 1 FROM volume v WHERE v.uuid = s.targetResourceUuid) ELSE NOT "
      "EXISTS (SELECT 1 FROM vm_instance v WHERE v.uuid = s.targetResourceUuid) END",
      {});
  if (!orphans) {
    logger_.warn("scheduler.sweep.failed error=" + orphans.error().describe());
    return;
  }
  if (orphans->rows.empty()) return;
  Json uuids = Json::array();
  for (const auto& r : orphans->rows) {
    std::string uuid = dbText(r[0]);
    if (db_.execute("DELETE FROM scheduler WHERE uuid = ?", {uuid})) uuids.push_back(uuid);
    logger_.info("scheduler.dropped uuid=" + uuid + " reason=target-gone");
  }
  bus_.request({std::string(kForgetResourcesMessage), "", {{"uuids", uuids}}}, [](Reply) {});
}

void SchedulerService::tick() {
  sweepOrphans();
  auto now = nowMillis();
  auto due = db_.query(
      std::string("SELECT uuid, schedulerJob, targetResourceUuid, jobData, nextFireTime, fired, ") +
          kTimingColumns +
          " FROM scheduler WHERE state = 'Enabled' AND nextFireTime IS NOT NULL AND "
          "nextFireTime <= ?",
      {now});
  if (!due) {
    logger_.warn("scheduler.tick.failed error=" + due.error().describe());
    return;
  }
  for (const auto& r : due->rows) {
    std::string uuid = dbText(r[0]);
    const JobKind* kind = kindOfJob(dbText(r[1]));
    auto next = nextFire(timingOf(r, 6), dbInt(r[5]) + 1, now);
    if (!kind || !next) continue;
    // Only if no other management node fired it meanwhile.
    auto claimed = db_.execute(
        "UPDATE scheduler SET fired = fired + 1, nextFireTime = ?, lastOpDate = ? WHERE uuid = ? "
        "AND nextFireTime = ?",
        {*next ? DbValue{**next} : DbValue{}, now, uuid, dbInt(r[4])});
    if (!claimed || *claimed == 0) continue;
    fire(*kind, uuid, dbText(r[2]), Json::parse(dbText(r[3]), nullptr, false));
  }
}

void SchedulerService::fire(const JobKind& kind, const std::string& uuid, const std::string& target,
                            const Json& jobData) {
  Json params = jobData.is_object() ? jobData : Json::object();
  std::string queue;
  if (onVm(kind)) {
    params["uuid"] = target;
    queue = target;
  } else {
    params["volumeUuid"] = target;
  }
  // What the job makes belongs to whoever owns the scheduler, as if they had called the API.
  auto owner =
      db_.query("SELECT accountUuid FROM account_resource_ref WHERE resourceUuid = ?", {uuid});
  std::string account = owner && !owner->rows.empty() ? dbText(owner->rows[0][0]) : "";
  logger_.info("scheduler.fired uuid=" + uuid + " job=" + kind.job + " target=" + target);
  bus_.request(
      {kind.message, queue, {{"api", kind.action}, {"params", params}}},
      [self = shared_from_this(), uuid, account, job = kind.job](Reply r) {
        if (!r) {
          self->logger_.warn("scheduler.job.failed uuid=" + uuid + " job=" + job +
                             " error=" + r.error().describe());
          return;
        }
        if (job != "CreateVolumeSnapshotJob" || account.empty()) return;
        std::string snapshot = (*r)["inventory"].value("uuid", "");
        self->bus_.request(
            {std::string(kRecordOwnershipMessage),
             "",
             {{"accountUuid", account},
              {"resources", {{{"uuid", snapshot}, {"resourceType", "VolumeSnapshotVO"}}}}}},
            [](Reply) {});
      },
      std::chrono::minutes(30));
}

}  // namespace strato::scheduler
