#include "host_capacity.h"

#include <strato/handler_util.h>

namespace strato::host {
namespace {

struct Amount {
  std::string host;
  std::int64_t cpu = 0;
  std::int64_t memory = 0;
};

Result<Amount> amountOf(const Json& body) {
  Amount a{textParam(body, "hostUuid"), body.value("cpuNum", std::int64_t{-1}),
           body.value("memorySize", std::int64_t{-1})};
  if (a.host.empty() || a.cpu < 0 || a.memory < 0)
    return invalidArgument("capacity needs a hostUuid, cpuNum >= 0 and memorySize >= 0");
  return a;
}

}  // namespace

Reply reserveCapacity(Database& db, const Json& body) {
  auto a = amountOf(body);
  if (!a) return a.error();
  auto taken = db.execute(
      "UPDATE host SET availableCpu = availableCpu - ?, availableMemory = availableMemory - ?, "
      "lastOpDate = ? WHERE uuid = ? AND state = 'Enabled' AND status = 'Connected' AND "
      "availableCpu >= ? AND availableMemory >= ?",
      {a->cpu, a->memory, nowMillis(), a->host, a->cpu, a->memory});
  if (!taken) return taken.error();
  if (*taken == 1) return Json::object();
  auto row = db.query("SELECT state, status, availableCpu, availableMemory FROM host WHERE uuid = ?",
                      {a->host});
  if (!row) return row.error();
  if (row->rows.empty()) return makeError(ErrorCode::kNotFound, "host " + a->host + " is gone");
  const auto& r = row->rows[0];
  return makeError(ErrorCode::kConflict,
                   "host " + a->host + " cannot take " + std::to_string(a->cpu) + " CPU and " +
                       std::to_string(a->memory) + " bytes of memory",
                   "state " + dbText(r[0]) + ", status " + dbText(r[1]) + ", available CPU " +
                       dbText(r[2]) + ", available memory " + dbText(r[3]));
}

Reply releaseCapacity(Database& db, const Json& body) {
  auto a = amountOf(body);
  if (!a) return a.error();
  auto given = db.execute(
      "UPDATE host SET availableCpu = CASE WHEN availableCpu + ? > totalCpu THEN totalCpu ELSE "
      "availableCpu + ? END, availableMemory = CASE WHEN availableMemory + ? > totalMemory THEN "
      "totalMemory ELSE availableMemory + ? END, lastOpDate = ? WHERE uuid = ?",
      {a->cpu, a->cpu, a->memory, a->memory, nowMillis(), a->host});
  return given ? Reply(Json::object()) : Reply(given.error());
}

}  // namespace strato::host
