#include "host_apis.h"

#include <strato/handler_util.h>

#include <algorithm>
#include <set>

#include "host_store.h"

namespace strato::host {

Reply updateHost(Database& db, const Json& params) {
  std::string uuid = params["uuid"];
  if (auto current = loadHost(db, uuid); !current) return current.error();
  if (params.contains("managementIp")) {
    auto taken = db.query("SELECT uuid FROM host WHERE managementIp = ? AND uuid <> ?",
                          {params["managementIp"].get<std::string>(), uuid});
    if (!taken) return taken.error();
    if (!taken->rows.empty()) {
      return makeError(ErrorCode::kAlreadyExists,
                       "managementIp " + params["managementIp"].get<std::string>() +
                           " belongs to host " + dbText(taken->rows[0][0]));
    }
  }
  for (const char* field : {"name", "description", "managementIp"}) {
    if (!params.contains(field)) continue;
    auto changed =
        db.execute(std::string("UPDATE host SET ") + field + " = ?, lastOpDate = ? WHERE uuid = ?",
                   {params[field].get<std::string>(), nowMillis(), uuid});
    if (!changed) return changed.error();
  }
  return hostReply(db, uuid);
}

Reply getHypervisorTypes(const ExtensionLookup& extensions) {
  std::set<std::string> types;
  for (const auto& driver : extensions.all<HypervisorDriver>()) types.insert(driver->type());
  return Json{{"hypervisorTypes", Json(types)}};
}

// ZStack's exposed host allocator strategies (HostAllocatorStrategyType): what the VM
// allocator implements, and what instance offerings may name as allocatorStrategy.
Reply getHostAllocatorStrategies() {
  return Json{{"hostAllocatorStrategies",
               {"DefaultHostAllocatorStrategy", "LastHostPreferredAllocatorStrategy",
                "LeastVmPreferredHostAllocatorStrategy", "MinimumCPUUsageHostAllocatorStrategy",
                "MinimumMemoryUsageHostAllocatorStrategy", "MaximumCPUUsageHostAllocatorStrategy",
                "MaximumMemoryUsageHostAllocatorStrategy"}}};
}

// Sums over the Enabled and Connected hosts (as ZStack does: a disabled or unreachable host
// offers no capacity) that match any of the given zones, clusters or hosts, or all of them.
Reply getCpuMemoryCapacity(Database& db, const Json& params) {
  // ZStack's SDK sends zoneUuids, the manual prints zoneUids: both are taken.
  auto chosen = selectedRows(params, {{"zoneUuids", "zoneUuid IN (%)"},
                                      {"zoneUids", "zoneUuid IN (%)"},
                                      {"clusterUuids", "clusterUuid IN (%)"},
                                      {"clusterUids", "clusterUuid IN (%)"},
                                      {"hostUuids", "uuid IN (%)"},
                                      {"hostUids", "uuid IN (%)"}});
  if (!chosen) return chosen.error();
  std::string where = "state = 'Enabled' AND status = 'Connected' AND (" + chosen->where + ")";
  std::vector<DbValue> binds = std::move(chosen->binds);
  if (params.contains("hypervisorType") && params["hypervisorType"].is_string()) {
    where += " AND hypervisorType = ?";
    binds.emplace_back(params["hypervisorType"].get<std::string>());
  }
  auto rows = db.query(
      "SELECT COALESCE(SUM(totalCpu), 0), COALESCE(SUM(availableCpu), 0), "
      "COALESCE(SUM(totalMemory), 0), "
      "COALESCE(SUM(availableMemory), 0), COALESCE(SUM(cpuNum), 0) FROM host WHERE " +
          where,
      binds);
  if (!rows) return rows.error();
  const auto& r = rows->rows.front();
  return Json{{"totalCpu", dbInt(r[0])},
              {"availableCpu", dbInt(r[1])},
              {"totalMemory", dbInt(r[2])},
              {"availableMemory", dbInt(r[3])},
              {"managedCpuNum", dbInt(r[4])}};
}

Result<std::vector<std::string>> HostCascade::below(const std::string& parentType,
                                                    const std::vector<std::string>& parentUuids) {
  if (parentType != "ClusterVO") return std::vector<std::string>{};
  return namesIn(db_, "SELECT uuid FROM host WHERE clusterUuid IN (", parentUuids);
}

// Permissive or Enforcing alike: what runs on the host has its own nodes below HostVO (the vm
// plugin refuses, Permissive, or stops its VMs, Enforcing) that ran before this.
Status HostCascade::remove(const std::vector<std::string>& uuids, DeleteMode) {
  return removeHosts(db_, bus_, uuids);
}

}  // namespace strato::host
