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

struct Offer {
  std::int64_t cpu = 0;
  std::int64_t memory = 0;
};

Offer offered(std::int64_t cpuNum, std::int64_t memoryBytes, const OverProvisioning& ratios) {
  return {cpuNum * ratios.cpu,
          static_cast<std::int64_t>(static_cast<double>(memoryBytes) * ratios.memory)};
}

// The offer becomes `offer`; what VMs hold (total - available) stays held. Assignments run left
// to right on MariaDB, so the available columns go first, while the totals are still the old ones.
Status reoffer(Database& db, const std::string& uuid, const Offer& offer) {
  auto done = db.execute(
      "UPDATE host SET availableCpu = ? - (totalCpu - availableCpu), totalCpu = ?, "
      "availableMemory = ? - (totalMemory - availableMemory), totalMemory = ?, lastOpDate = ? "
      "WHERE uuid = ?",
      {offer.cpu, offer.cpu, offer.memory, offer.memory, nowMillis(), uuid});
  if (!done) return done.error();
  return {};
}

}  // namespace

OverProvisioning overProvisioning(const GlobalConfigView& configs) {
  OverProvisioning ratios;
  ratios.cpu = configs.getInt(kCpuRatioCategory, kCpuRatioName, 1);
  auto memory = configs.get(kMemoryRatioCategory, kMemoryRatioName);
  try {
    if (memory) ratios.memory = std::stod(*memory);
  } catch (...) {  // the kernel checked the value against the declaration; keep the default
  }
  return ratios;
}

void declareOverProvisioning(Registrar& r) {
  r.addGlobalConfig({std::string(kCpuRatioCategory),
                     std::string(kCpuRatioName),
                     "1",
                     "A host offers VMs its CPU cores times this",
                     GlobalConfigType::kInteger,
                     1,
                     100,
                     {}});
  r.addGlobalConfig({std::string(kMemoryRatioCategory),
                     std::string(kMemoryRatioName),
                     "1.0",
                     "A host offers VMs its memory times this",
                     GlobalConfigType::kFloat,
                     1.0,
                     100.0,
                     {}});
}

// ZStack counts CPU capacity in cores (the manual's examples: totalCpuCapacity 4 next to
// managedCpuNum 4), not in MHz.
Status applyFacts(Database& db, const std::string& uuid, const HostFacts& facts,
                  const OverProvisioning& ratios) {
  return db.transaction([&](Database& tx) -> Status {
    auto done = tx.execute(
        "UPDATE host SET cpuNum = ?, cpuSockets = ?, totalPhysicalMemory = ?, "
        "availablePhysicalMemory = ?, architecture = ? WHERE uuid = ?",
        {facts.cpuNum, facts.cpuSockets, facts.totalMemoryBytes, facts.totalMemoryBytes,
         facts.architecture, uuid});
    if (!done) return done.error();
    if (*done == 0) return makeError(ErrorCode::kNotFound, "no host " + uuid);
    return reoffer(tx, uuid, offered(facts.cpuNum, facts.totalMemoryBytes, ratios));
  });
}

Status applyOverProvisioning(Database& db, const OverProvisioning& ratios) {
  return db.transaction([&](Database& tx) -> Status {
    auto hosts = tx.query("SELECT uuid, cpuNum, totalPhysicalMemory FROM host", {});
    if (!hosts) return hosts.error();
    for (const auto& h : hosts->rows) {
      if (auto st = reoffer(tx, dbText(h[0]), offered(dbInt(h[1]), dbInt(h[2]), ratios)); !st)
        return st;
    }
    return {};
  });
}

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
