#include "vm_allocator.h"

#include <algorithm>
#include <random>

#include <strato/handler_util.h>

#include "vm_async.h"

namespace strato::vm {
namespace {

// Appended to a condition on primary_storage p: a LocalStorage needs the bytes on the disk of
// the host (an SQL expression, bound or a column), the others on the storage as a whole.
std::string localDiskFits(const std::string& host) {
  return " AND (p.type <> 'LocalStorage' OR EXISTS (SELECT 1 FROM local_storage_host_ref l "
         "WHERE l.primaryStorageUuid = p.uuid AND l.hostUuid = " +
         host + " AND l.availableCapacity >= ?))";
}

struct Candidate {
  HostChoice choice;
  std::int64_t availableCpu = 0;
  std::int64_t availableMemory = 0;
  std::int64_t vms = 0;
};

void orderByStrategy(std::vector<Candidate>& hosts, const HostRequest& r) {
  auto by = [&](auto key) {
    std::stable_sort(hosts.begin(), hosts.end(),
                     [&](const Candidate& a, const Candidate& b) { return key(a) < key(b); });
  };
  // Every strategy starts from a shuffle, so ties (and the default strategy) spread VMs.
  static thread_local std::mt19937_64 random{std::random_device{}()};
  std::shuffle(hosts.begin(), hosts.end(), random);
  const std::string& s = r.strategy;
  if (s == "LeastVmPreferredHostAllocatorStrategy") by([](const Candidate& c) { return c.vms; });
  if (s == "MinimumCPUUsageHostAllocatorStrategy") by([](const Candidate& c) { return -c.availableCpu; });
  if (s == "MaximumCPUUsageHostAllocatorStrategy") by([](const Candidate& c) { return c.availableCpu; });
  if (s == "MinimumMemoryUsageHostAllocatorStrategy")
    by([](const Candidate& c) { return -c.availableMemory; });
  if (s == "MaximumMemoryUsageHostAllocatorStrategy")
    by([](const Candidate& c) { return c.availableMemory; });
  if (s == "LastHostPreferredAllocatorStrategy" || !r.lastHostUuid.empty()) {
    std::stable_partition(hosts.begin(), hosts.end(),
                          [&](const Candidate& c) { return c.choice.uuid == r.lastHostUuid; });
  }
  std::stable_partition(hosts.begin(), hosts.end(), [&](const Candidate& c) {
    return std::find(r.avoidedHosts.begin(), r.avoidedHosts.end(), c.choice.uuid) ==
           r.avoidedHosts.end();
  });
}

std::string describe(const HostRequest& r) {
  std::string out = std::to_string(r.cpuNum) + " CPU, " + std::to_string(r.memorySize) +
                    " bytes of memory";
  if (!r.l3NetworkUuids.empty()) {
    out += ", L3 networks";
    for (const auto& l3 : r.l3NetworkUuids) out += " " + l3;
  }
  if (!r.imageUuid.empty()) out += ", image " + r.imageUuid;
  if (r.storageBytes > 0) out += ", " + std::to_string(r.storageBytes) + " bytes of primary storage";
  if (!r.primaryStorageUuid.empty()) out += ", primary storage " + r.primaryStorageUuid;
  if (!r.zoneUuid.empty()) out += ", zone " + r.zoneUuid;
  if (!r.clusterUuid.empty()) out += ", cluster " + r.clusterUuid;
  if (!r.hostUuid.empty()) out += ", host " + r.hostUuid;
  if (!r.pinnedHostUuid.empty())
    out += ", host " + r.pinnedHostUuid + " (its local disk holds the VM's volumes)";
  return out;
}

}  // namespace

Json toJson(const HostRequest& r) {
  return {{"cpuNum", r.cpuNum},
          {"memorySize", r.memorySize},
          {"l3NetworkUuids", r.l3NetworkUuids},
          {"imageUuid", r.imageUuid},
          {"storageBytes", r.storageBytes},
          {"primaryStorageUuid", r.primaryStorageUuid},
          {"zoneUuid", r.zoneUuid},
          {"clusterUuid", r.clusterUuid},
          {"hostUuid", r.hostUuid},
          {"pinnedHostUuid", r.pinnedHostUuid},
          {"excludedHosts", r.excludedHosts},
          {"avoidedHosts", r.avoidedHosts},
          {"strategy", r.strategy},
          {"lastHostUuid", r.lastHostUuid},
          {"hypervisorTypes", r.hypervisorTypes}};
}

HostRequest hostRequestFrom(const Json& j) {
  HostRequest r;
  r.cpuNum = j.value("cpuNum", std::int64_t{0});
  r.memorySize = j.value("memorySize", std::int64_t{0});
  r.l3NetworkUuids = j.value("l3NetworkUuids", std::vector<std::string>{});
  r.imageUuid = j.value("imageUuid", "");
  r.storageBytes = j.value("storageBytes", std::int64_t{0});
  r.primaryStorageUuid = j.value("primaryStorageUuid", "");
  r.zoneUuid = j.value("zoneUuid", "");
  r.clusterUuid = j.value("clusterUuid", "");
  r.hostUuid = j.value("hostUuid", "");
  r.pinnedHostUuid = j.value("pinnedHostUuid", "");
  r.excludedHosts = j.value("excludedHosts", std::vector<std::string>{});
  r.avoidedHosts = j.value("avoidedHosts", std::vector<std::string>{});
  r.strategy = j.value("strategy", "");
  r.lastHostUuid = j.value("lastHostUuid", "");
  r.hypervisorTypes = j.value("hypervisorTypes", std::vector<std::string>{});
  return r;
}

Result<std::vector<HostChoice>> candidateHosts(Database& db, const HostRequest& r) {
  // Only LeastVmPreferred orders by the VMs a host runs: the others need not count them.
  const char* vms = r.strategy == "LeastVmPreferredHostAllocatorStrategy"
                        ? "(SELECT COUNT(*) FROM vm_instance v WHERE v.hostUuid = h.uuid)"
                        : "0";
  std::string sql =
      std::string("SELECT h.uuid, h.clusterUuid, h.zoneUuid, h.hypervisorType, h.managementIp, "
                  "h.availableCpu, h.availableMemory, ") +
      vms +
      " FROM host h WHERE h.state = 'Enabled' AND h.status = 'Connected' AND "
      "h.availableCpu >= ? AND h.availableMemory >= ?";
  std::vector<DbValue> binds{r.cpuNum, r.memorySize};
  auto add = [&](const std::string& condition, std::vector<DbValue> values) {
    sql += " AND " + condition;
    binds.insert(binds.end(), values.begin(), values.end());
  };
  for (const auto& l3 : r.l3NetworkUuids) {
    add("h.clusterUuid IN (SELECT c.clusterUuid FROM l2_network_cluster_ref c JOIN l3_network l "
        "ON l.l2NetworkUuid = c.l2NetworkUuid WHERE l.uuid = ?)",
        {l3});
  }
  if (!r.imageUuid.empty()) {
    add("h.zoneUuid IN (SELECT z.zoneUuid FROM backup_storage_zone_ref z JOIN "
        "image_backup_storage_ref i ON i.backupStorageUuid = z.backupStorageUuid WHERE "
        "i.imageUuid = ? AND i.status = 'Ready')",
        {r.imageUuid});
  }
  if (r.storageBytes > 0 || !r.primaryStorageUuid.empty()) {
    std::string ps =
        "h.clusterUuid IN (SELECT c.clusterUuid FROM primary_storage_cluster_ref c JOIN "
        "primary_storage p ON p.uuid = c.primaryStorageUuid WHERE p.state = 'Enabled' AND "
        "p.status = 'Connected' AND p.availableCapacity >= ?" +
        localDiskFits("h.uuid");
    std::vector<DbValue> values{r.storageBytes, r.storageBytes};
    if (!r.primaryStorageUuid.empty()) {
      ps += " AND p.uuid = ?";
      values.emplace_back(r.primaryStorageUuid);
    }
    add(ps + ")", values);
  }
  if (!r.zoneUuid.empty()) add("h.zoneUuid = ?", {r.zoneUuid});
  if (!r.clusterUuid.empty()) add("h.clusterUuid = ?", {r.clusterUuid});
  if (!r.hostUuid.empty()) add("h.uuid = ?", {r.hostUuid});
  if (!r.pinnedHostUuid.empty()) add("h.uuid = ?", {r.pinnedHostUuid});
  if (!r.excludedHosts.empty()) {
    add("h.uuid NOT IN (" + sqlPlaceholders(r.excludedHosts.size()) + ")",
        {r.excludedHosts.begin(), r.excludedHosts.end()});
  }
  if (r.hypervisorTypes.empty()) {
    return makeError(ErrorCode::kNotSupported, "no hypervisor plugin can run VMs");
  }
  add("h.hypervisorType IN (" + sqlPlaceholders(r.hypervisorTypes.size()) + ")",
      {r.hypervisorTypes.begin(), r.hypervisorTypes.end()});
  auto rows = db.query(sql, binds);
  if (!rows) return rows.error();
  if (rows->rows.empty()) {
    return makeError(ErrorCode::kConflict, "no host can run the VM", "wanted: " + describe(r));
  }
  std::vector<Candidate> hosts;
  for (const auto& row : rows->rows) {
    hosts.push_back({{dbText(row[0]), dbText(row[1]), dbText(row[2]), dbText(row[3]),
                      dbText(row[4])},
                     dbInt(row[5]),
                     dbInt(row[6]),
                     dbInt(row[7])});
  }
  orderByStrategy(hosts, r);
  std::vector<HostChoice> out;
  for (auto& c : hosts) out.push_back(std::move(c.choice));
  return out;
}

void reserveHost(MessageBus& bus, std::vector<HostChoice> candidates, std::int64_t cpuNum,
                 std::int64_t memorySize, std::function<void(Result<HostChoice>)> done) {
  firstTaker<HostChoice>(
      std::move(candidates),
      [&bus, cpuNum, memorySize](const HostChoice& host, ReplyCallback answer) {
        bus.request({std::string(kReserveHostCapacityMessage),
                     "",
                     {{"hostUuid", host.uuid}, {"cpuNum", cpuNum}, {"memorySize", memorySize}}},
                    std::move(answer));
      },
      {ErrorCode::kConflict, ErrorCode::kNotFound},
      [](const std::vector<Error>& refusals) {
        std::string why;
        for (const auto& e : refusals) why += (why.empty() ? "" : "; ") + e.message;
        return makeError(ErrorCode::kConflict,
                         "no host had the capacity left for the VM when it was reserved", why);
      },
      [done](Result<std::pair<HostChoice, Json>> taken) {
        if (!taken) return done(taken.error());
        done(taken->first);
      });
}

void releaseHost(MessageBus& bus, const std::string& hostUuid, std::int64_t cpuNum,
                 std::int64_t memorySize, std::function<void(Status)> done) {
  bus.request({std::string(kReleaseHostCapacityMessage),
               "",
               {{"hostUuid", hostUuid}, {"cpuNum", cpuNum}, {"memorySize", memorySize}}},
              [done](Reply r) { done(r ? Status() : Status(r.error())); });
}

Result<std::vector<std::string>> candidateStorages(Database& db, const std::string& clusterUuid,
                                                   const std::string& hostUuid, std::int64_t bytes,
                                                   const std::string& preferred) {
  std::string sql =
      "SELECT p.uuid FROM primary_storage p JOIN primary_storage_cluster_ref c ON "
      "c.primaryStorageUuid = p.uuid WHERE c.clusterUuid = ? AND p.state = 'Enabled' AND "
      "p.status = 'Connected' AND p.availableCapacity >= ?" +
      localDiskFits("?");
  std::vector<DbValue> binds{clusterUuid, bytes, hostUuid, bytes};
  if (!preferred.empty()) {
    sql += " AND p.uuid = ?";
    binds.emplace_back(preferred);
  }
  auto found = db.query(sql + " ORDER BY p.availableCapacity DESC", binds);
  if (!found) return found.error();
  std::vector<std::string> out;
  for (const auto& r : found->rows) out.push_back(dbText(r[0]));
  if (out.empty()) {
    return makeError(ErrorCode::kConflict,
                     "no primary storage of cluster " + clusterUuid + " has " +
                         std::to_string(bytes) + " bytes free" +
                         (preferred.empty() ? "" : " (asked for " + preferred + ")"));
  }
  return out;
}

Result<std::string> localDisksHost(Database& db, const std::string& vmUuid) {
  // A host deleted with deleteMode=Enforcing took its disk, and these files, along.
  auto lost = db.query(
      "SELECT v.uuid FROM volume v JOIN primary_storage p ON p.uuid = v.primaryStorageUuid WHERE "
      "v.vmInstanceUuid = ? AND p.type = 'LocalStorage' AND v.installPath IS NOT NULL AND NOT "
      "EXISTS (SELECT 1 FROM local_storage_resource_ref l WHERE l.resourceUuid = v.uuid AND "
      "l.primaryStorageUuid = v.primaryStorageUuid)",
      {vmUuid});
  if (!lost) return lost.error();
  if (!lost->rows.empty()) {
    return conflict("volume " + dbText(lost->rows[0][0]) + " of VM " + vmUuid +
                        " was on the local disk of a host that was deleted",
                    "its file is gone; detach or delete the volume");
  }
  auto rows = db.query(
      "SELECT DISTINCT l.hostUuid FROM local_storage_resource_ref l JOIN volume v ON v.uuid = "
      "l.resourceUuid AND v.primaryStorageUuid = l.primaryStorageUuid WHERE v.vmInstanceUuid = ? "
      "ORDER BY l.hostUuid",
      {vmUuid});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return std::string();
  if (rows->rows.size() > 1) {
    return conflict("the volumes of VM " + vmUuid + " are on the local disks of hosts " +
                        dbText(rows->rows[0][0]) + " and " + dbText(rows->rows[1][0]),
                    "a VM runs on one host: move them to one with LocalStorageMigrateVolume");
  }
  return dbText(rows->rows[0][0]);
}

}  // namespace strato::vm
