// Task progress, long jobs and GC jobs.
#include <fmt/format.h>

#include "bus/asio_bus.h"
#include "rest/rest_front_end.h"
#include "strato/gc.h"
#include "strato/time_format.h"
#include "strato/uuid.h"
#include "system/system_apis.h"
#include "system/task_progress.h"

namespace strato::kernel {
namespace {

// ZStack clients name the API of a long job by its message class:
// "org.zstack.header.image.APIAddImageMsg" and "APIAddImageMsg" both mean AddImage.
std::string apiNameOfJob(std::string jobName) {
  if (auto dot = jobName.rfind('.'); dot != std::string::npos) jobName.erase(0, dot + 1);
  if (jobName.rfind("API", 0) == 0 && jobName.size() > 6 &&
      jobName.substr(jobName.size() - 3) == "Msg") {
    jobName = jobName.substr(3, jobName.size() - 6);
  }
  return jobName;
}

Result<Json> longJobInventory(Database& db, const std::string& uuid) {
  auto rows = db.query(
      "SELECT uuid, name, description, apiId, jobName, jobData, jobResult, state, "
      "targetResourceUuid, "
      "managementNodeUuid, createDate, lastOpDate FROM long_job WHERE uuid = ?",
      {uuid});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return makeError(ErrorCode::kNotFound, "no long job " + uuid);
  Json out = Json::object();
  const auto& row = rows->rows.front();
  for (std::size_t i = 0; i < row.size(); ++i) {
    const auto& name = rows->columns[i];
    if (const auto* text = std::get_if<std::string>(&row[i])) out[name] = *text;
    if (const auto* n = std::get_if<std::int64_t>(&row[i])) out[name] = formatGsonDate(*n);
  }
  return out;
}

Reply submitLongJob(SystemApiServices& s, const Json& body) {
  const Json& p = body["params"];
  std::string apiName = apiNameOfJob(p["jobName"]);
  RestFrontEnd* front = s.frontEnd();
  const ApiDeclaration* api = front ? front->findApi(apiName) : nullptr;
  if (!api || !front->implemented(apiName)) {
    return makeError(ErrorCode::kInvalidArgument, "jobName names no implemented API", p["jobName"]);
  }
  Json data = Json::parse(p.value("jobData", std::string("{}")), nullptr, false);
  if (data.is_discarded() || !data.is_object()) {
    return makeError(ErrorCode::kInvalidArgument,
                     "jobData must be a JSON object of the API's parameters");
  }
  std::string uuid = p.contains("resourceUuid") ? p["resourceUuid"].get<std::string>() : newUuid();
  std::string apiId = newUuid();
  auto now = nowMillis();
  auto inserted = s.database.execute(
      "INSERT INTO long_job (uuid, name, description, apiId, jobName, jobData, state, "
      "targetResourceUuid, managementNodeUuid, accountUuid, createDate, lastOpDate) "
      "VALUES (?, ?, ?, ?, ?, ?, 'Running', ?, ?, ?, ?, ?)",
      {uuid, p.value("name", apiName), p.value("description", ""), apiId,
       p["jobName"].get<std::string>(), data.dump(), p.value("targetResourceUuid", ""), s.nodeUuid,
       body["session"].value("accountUuid", ""), now, now});
  if (!inserted) return inserted.error();
  std::optional<SessionInfo> session;
  if (body["session"].is_object()) {
    const Json& j = body["session"];
    session = SessionInfo{j.value("uuid", ""), j.value("accountUuid", ""), j.value("userUuid", ""),
                          j.value("admin", false)};
  }
  auto& db = s.database;
  auto finished = [&db, uuid](const Reply& reply) {
    Json result = reply.ok() ? reply.value() : Json{{"error", reply.error().describe()}};
    auto updated =
        db.execute("UPDATE long_job SET state = ?, jobResult = ?, lastOpDate = ? WHERE uuid = ?",
                   {reply.ok() ? "Succeeded" : "Failed", result.dump(), nowMillis(), uuid});
    (void)updated;  // nothing more to do if the row went away meanwhile (DeleteLongJob)
  };
  if (auto started = front->submit({api, std::move(data), session, apiId}, finished); !started) {
    finished(started.error());
    return started.error();
  }
  auto inventory = longJobInventory(db, uuid);
  if (!inventory) return inventory.error();
  return Json{{"inventory", *inventory}};
}

Reply triggerGcJob(SystemApiServices& s, const std::string& uuid) {
  auto rows = s.database.query("SELECT runnerClass, context FROM gc_job WHERE uuid = ?", {uuid});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return makeError(ErrorCode::kNotFound, "no GC job " + uuid);
  std::string runner = std::get<std::string>(rows->rows[0][0]);
  const auto* text = std::get_if<std::string>(&rows->rows[0][1]);
  auto collector = s.extensions.find<GarbageCollector>(runner);
  if (!collector)
    return makeError(ErrorCode::kNotFound, "no loaded plugin runs GC jobs of " + runner);
  Json context = Json::parse(text ? *text : "{}", nullptr, false);
  auto mark = [&](const char* status) {
    return s.database.execute("UPDATE gc_job SET status = ?, lastOpDate = ? WHERE uuid = ?",
                              {status, nowMillis(), uuid});
  };
  if (auto m = mark("Processing"); !m) return m.error();
  Status done = collector->collect(context.is_discarded() ? Json::object() : context);
  // A failed collection stays Idle so that it can be triggered again.
  if (auto m = mark(done ? "Done" : "Idle"); !m) return m.error();
  if (!done) return done.error();
  return Json::object();
}

Reply submitGcJob(SystemApiServices& s, const Json& body) {
  if (!body.is_object() || !body.contains("runnerClass") || !body["runnerClass"].is_string()) {
    return makeError(ErrorCode::kInvalidArgument, "a GC job needs a string runnerClass");
  }
  std::string uuid = newUuid();
  auto now = nowMillis();
  auto inserted = s.database.execute(
      "INSERT INTO gc_job (uuid, name, runnerClass, context, status, managementNodeUuid, "
      "createDate, "
      "lastOpDate) VALUES (?, ?, ?, ?, 'Idle', ?, ?, ?)",
      {uuid, body.value("name", body["runnerClass"].get<std::string>()),
       body["runnerClass"].get<std::string>(), body.value("context", Json::object()).dump(),
       s.nodeUuid, now, now});
  if (!inserted) return inserted.error();
  return Json{{"uuid", uuid}};
}

}  // namespace

Status addJobApis(SystemApiServices& s, const HandlerAdder& add) {
  s.subscriptions.push_back(s.bus.subscribe(std::string(kTaskProgressEvent),
                                            [&s](const Message& m) { s.progress.record(m.body); }));
  auto submitted = s.bus.registerHandler(
      std::string(kSubmitGcJobMessage),
      blockingHandler(s.bus, [&s](const Message& m) { return submitGcJob(s, m.body); }));
  if (!submitted) return submitted;
  if (auto r = add(catalogApi("GetTaskProgress"),
                   [&s](const Json& body) -> Reply {
                     const Json& p = body["params"];
                     Json list = Json::array();
                     for (auto& report :
                          s.progress.reports(p.value("apiId", ""), p.value("all", false))) {
                       list.push_back(std::move(report));
                     }
                     return Json{{"inventories", list}};
                   });
      !r) {
    return r;
  }
  if (auto r = add(catalogApi("QueryLongJob", "LongJob"), nullptr); !r) return r;
  // Garbage collection is the operator's business.
  auto adminOnly = [](ApiDeclaration api) {
    api.adminOnly = true;
    return api;
  };
  if (auto r = add(adminOnly(catalogApi("QueryGCJob", "GCJob")), nullptr); !r) return r;
  if (auto r = add(catalogApi("SubmitLongJob", "LongJob"),
                   [&s](const Json& body) { return submitLongJob(s, body); });
      !r) {
    return r;
  }
  if (auto r =
          add(catalogApi("DeleteLongJob"),
              [&s](const Json& body) -> Reply {
                std::string uuid = body["params"]["uuid"];
                auto rows = s.database.query("SELECT state FROM long_job WHERE uuid = ?", {uuid});
                if (!rows) return rows.error();
                if (rows->rows.empty())
                  return makeError(ErrorCode::kNotFound, "no long job " + uuid);
                if (std::get<std::string>(rows->rows[0][0]) == "Running") {
                  return makeError(ErrorCode::kConflict, "long job " + uuid + " is still running");
                }
                auto deleted = s.database.execute("DELETE FROM long_job WHERE uuid = ?", {uuid});
                if (!deleted) return deleted.error();
                return Json::object();
              });
      !r) {
    return r;
  }
  if (auto r = add(adminOnly(catalogApi("TriggerGCJob")),
                   [&s](const Json& body) { return triggerGcJob(s, body["params"]["uuid"]); });
      !r) {
    return r;
  }
  return add(adminOnly(catalogApi("DeleteGCJob")), [&s](const Json& body) -> Reply {
    std::string uuid = body["params"]["uuid"];
    auto deleted = s.database.execute("DELETE FROM gc_job WHERE uuid = ?", {uuid});
    if (!deleted) return deleted.error();
    if (*deleted == 0) return makeError(ErrorCode::kNotFound, "no GC job " + uuid);
    return Json::object();
  });
}

}  // namespace strato::kernel
