#include "local_storage_driver.h"

#include <algorithm>
#include <charconv>
#include <optional>

#include "agent_files.h"
#include "ps_store.h"

namespace strato::primary {
namespace {

std::optional<std::int64_t> parseBytes(std::string_view s) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

}  // namespace

Status validateAbsolutePath(const std::string& url, const std::string& what) {
  if (url.empty() || url.front() != '/') {
    return makeError(ErrorCode::kInvalidArgument, what + " url must be an absolute path", url);
  }
  if (url == "/") {
    return makeError(ErrorCode::kInvalidArgument, what + " url cannot be the root directory");
  }
  for (char c : url) {
    if (c == ' ' || c == '\t' || c == '\n' || c == ':') {
      return makeError(ErrorCode::kInvalidArgument,
                       what + " url may not hold blanks or ':' (it becomes a host path)", url);
    }
  }
  if (url.find("/../") != std::string::npos || url.ends_with("/..")) {
    return makeError(ErrorCode::kInvalidArgument, what + " url may not climb with '..'", url);
  }
  return {};
}

Status LocalStorageDriver::validate(const PrimaryStorageSpec& spec) const {
  return validateAbsolutePath(spec.url, "a LocalStorage");
}

Result<StorageCapacity> LocalStorageDriver::hostDisk(const PrimaryStorageSpec& spec,
                                                     const StorageHost& host) {
  // The file system under the url on the host, as its agent measures it.
  if (host.agentPort > 0) return diskUsage(host, spec.url, std::chrono::minutes(1));
  if (host.hypervisorType != "Simulator") {
    return makeError(ErrorCode::kNotSupported,
                     "local storage on " + host.hypervisorType + " hosts is not built",
                     "host " + host.managementIp);
  }
  auto tags = db_.query("SELECT tag FROM system_tag WHERE resourceUuid = ? AND tag LIKE ?",
                        {host.uuid, std::string(kSimulatorDiskTag) + "%"});
  if (!tags) return tags.error();
  StorageCapacity disk{simulatorDiskBytes_, simulatorDiskBytes_, true};
  if (!tags->rows.empty()) {
    std::string value = dbText(tags->rows[0][0]).substr(kSimulatorDiskTag.size());
    auto sep = value.find("::");
    auto total = parseBytes(std::string_view(value).substr(0, sep));
    auto free =
        sep == std::string::npos ? total : parseBytes(std::string_view(value).substr(sep + 2));
    if (!total || !free || *free > *total) {
      return makeError(ErrorCode::kInvalidArgument, "bad simulated disk tag on host " + host.uuid,
                       dbText(tags->rows[0][0]));
    }
    disk = {*total, *free, true};
  }
  return disk;
}

Status LocalStorageDriver::recordHost(const PrimaryStorageSpec& spec, const StorageHost& host,
                                      bool refresh) {
  const std::string& storageUuid = spec.uuid;
  auto disk = hostDisk(spec, host);
  if (!disk) return disk.error();
  return db_.transaction([&](Database& tx) -> Status {
    auto rows = tx.query(
        "SELECT totalCapacity, availableCapacity, systemUsedCapacity FROM local_storage_host_ref "
        "WHERE primaryStorageUuid = ? AND hostUuid = ?",
        {storageUuid, host.uuid});
    if (!rows) return rows.error();
    if (!rows->rows.empty() && !refresh) return {};
    std::int64_t held = 0;
    if (!rows->rows.empty()) {
      const auto& r = rows->rows.front();
      held = std::max<std::int64_t>(0, dbInt(r[0]) - dbInt(r[1]) - dbInt(r[2]));
    }
    std::int64_t total = disk->totalPhysical;
    std::int64_t systemUsed = std::max<std::int64_t>(0, total - disk->availablePhysical - held);
    std::int64_t available = std::max<std::int64_t>(0, total - systemUsed - held);
    auto now = nowMillis();
    if (rows->rows.empty()) {
      return statusOf(tx.execute(
          "INSERT INTO local_storage_host_ref (primaryStorageUuid, hostUuid, totalCapacity, "
          "availableCapacity, totalPhysicalCapacity, availablePhysicalCapacity, "
          "systemUsedCapacity, createDate, lastOpDate) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
          {storageUuid, host.uuid, total, available, total, disk->availablePhysical, systemUsed,
           now, now}));
    }
    return statusOf(tx.execute(
        "UPDATE local_storage_host_ref SET totalCapacity = ?, availableCapacity = ?, "
        "totalPhysicalCapacity = ?, availablePhysicalCapacity = ?, systemUsedCapacity = ?, "
        "lastOpDate = ? WHERE primaryStorageUuid = ? AND hostUuid = ?",
        {total, available, total, disk->availablePhysical, systemUsed, now, storageUuid,
         host.uuid}));
  });
}

Result<StorageCapacity> LocalStorageDriver::total(const std::string& storageUuid) {
  auto rows = db_.query(
      "SELECT COALESCE(SUM(totalPhysicalCapacity), 0), COALESCE(SUM(availablePhysicalCapacity), 0) "
      "FROM local_storage_host_ref WHERE primaryStorageUuid = ?",
      {storageUuid});
  if (!rows) return rows.error();
  return StorageCapacity{dbInt(rows->rows[0][0]), dbInt(rows->rows[0][1]), true};
}

Result<StorageCapacity> LocalStorageDriver::connect(const PrimaryStorageSpec& spec,
                                                    const std::vector<StorageHost>& hosts) {
  for (const auto& host : hosts) {
    if (auto s = recordHost(spec, host, false); !s) return s.error();
  }
  return total(spec.uuid);
}

Result<StorageCapacity> LocalStorageDriver::attach(const PrimaryStorageSpec& spec,
                                                   const std::string&,
                                                   const std::vector<StorageHost>& hosts) {
  return connect(spec, hosts);
}

Result<StorageCapacity> LocalStorageDriver::detach(const PrimaryStorageSpec& spec,
                                                   const std::string& clusterUuid,
                                                   const std::vector<StorageHost>& hosts) {
  // Files on those disks would stay there, out of reach of the storage: refused while any are.
  for (const auto& host : hosts) {
    auto held = db_.query(
        "SELECT COUNT(*) FROM local_storage_resource_ref WHERE primaryStorageUuid = ? AND "
        "hostUuid = ?",
        {spec.uuid, host.uuid});
    if (!held) return held.error();
    if (auto n = dbInt(held->rows[0][0]); n > 0) {
      return makeError(ErrorCode::kConflict,
                       "the local disk of host " + host.uuid + " holds " + std::to_string(n) +
                           " volume or snapshot file(s) of storage " + spec.name,
                       "move them off cluster " + clusterUuid + " or delete them first");
    }
  }
  for (const auto& host : hosts) {
    auto done = db_.execute(
        "DELETE FROM local_storage_host_ref WHERE primaryStorageUuid = ? AND hostUuid = ?",
        {spec.uuid, host.uuid});
    if (!done) return done.error();
  }
  return total(spec.uuid);
}

Result<StorageCapacity> LocalStorageDriver::syncCapacity(const PrimaryStorageSpec& spec,
                                                         const std::vector<StorageHost>& hosts) {
  for (const auto& host : hosts) {
    if (auto s = recordHost(spec, host, true); !s) return s.error();
  }
  return total(spec.uuid);
}

// Image caches arrive with the image plugin; until then there is nothing cached to drop.
Result<std::int64_t> LocalStorageDriver::cleanUpImageCache(const PrimaryStorageSpec&,
                                                           const std::vector<StorageHost>&) {
  return std::int64_t{0};
}

}  // namespace strato::primary

namespace strato::primary {

Result<bool> LocalStorageDriver::byAgent(const PrimaryStorageSpec& spec,
                                         const std::vector<StorageHost>& hosts) const {
  if (hosts.size() != 1) {
    return makeError(ErrorCode::kInternal, "a LocalStorage volume file is on exactly one host",
                     std::to_string(hosts.size()) + " given for " + spec.uuid);
  }
  if (hosts[0].agentPort > 0) return true;
  if (hosts[0].hypervisorType == "Simulator") return false;
  return notSupported(spec, "hold volume files on " + hosts[0].hypervisorType + " hosts");
}

Result<VolumeFile> LocalStorageDriver::createVolume(const PrimaryStorageSpec& spec,
                                                    const std::vector<StorageHost>& hosts,
                                                    const std::string& volumeUuid,
                                                    std::int64_t size, const std::string& format,
                                                    const VolumeSource& source) {
  auto agent = byAgent(spec, hosts);
  if (!agent) return agent.error();
  if (*agent) return files_.create(spec.url, hosts, volumeUuid, size, format, source);
  return simulated_.createVolume(spec, hosts, volumeUuid, size, format, source);
}

Status LocalStorageDriver::deleteVolume(const PrimaryStorageSpec& spec,
                                        const std::vector<StorageHost>& hosts,
                                        const std::string& installPath) {
  auto agent = byAgent(spec, hosts);
  if (!agent) return agent.error();
  if (*agent) return files_.remove(hosts, installPath);
  return simulated_.deleteVolume(spec, hosts, installPath);
}

Result<VolumeFile> LocalStorageDriver::resizeVolume(const PrimaryStorageSpec& spec,
                                                    const std::vector<StorageHost>& hosts,
                                                    const std::string& installPath,
                                                    std::int64_t size) {
  auto agent = byAgent(spec, hosts);
  if (!agent) return agent.error();
  if (*agent) return files_.resize(hosts, installPath, size);
  return simulated_.resizeVolume(spec, hosts, installPath, size);
}

Result<VolumeFile> LocalStorageDriver::volumeSize(const PrimaryStorageSpec& spec,
                                                  const std::vector<StorageHost>& hosts,
                                                  const std::string& installPath) {
  auto agent = byAgent(spec, hosts);
  if (!agent) return agent.error();
  if (*agent) return files_.size(hosts, installPath);
  return simulated_.volumeSize(spec, hosts, installPath);
}

Result<VolumeFile> LocalStorageDriver::createSnapshot(const PrimaryStorageSpec& spec,
                                                      const std::vector<StorageHost>& hosts,
                                                      const std::string& volumeInstallPath,
                                                      const std::string& snapshotUuid,
                                                      std::int64_t size) {
  auto agent = byAgent(spec, hosts);
  if (!agent) return agent.error();
  if (*agent) return files_.snapshot(hosts, volumeInstallPath, snapshotUuid, size);
  return simulated_.createSnapshot(spec, hosts, volumeInstallPath, snapshotUuid, size);
}

Result<VolumeFile> LocalStorageDriver::revertVolume(const PrimaryStorageSpec& spec,
                                                    const std::vector<StorageHost>& hosts,
                                                    const std::string& volumeInstallPath,
                                                    const std::string& snapshotInstallPath) {
  auto agent = byAgent(spec, hosts);
  if (!agent) return agent.error();
  if (*agent) return files_.revert(hosts, volumeInstallPath, snapshotInstallPath);
  return simulated_.revertVolume(spec, hosts, volumeInstallPath, snapshotInstallPath);
}

// Simulated files have no host of their own (one map per storage): a move is the refs' alone.
Status LocalStorageDriver::moveFiles(const PrimaryStorageSpec& spec, const StorageHost& from,
                                     const StorageHost& to, const std::vector<std::string>& paths) {
  auto fromAgent = byAgent(spec, {from});
  if (!fromAgent) return fromAgent.error();
  auto toAgent = byAgent(spec, {to});
  if (!toAgent) return toAgent.error();
  if (*fromAgent != *toAgent) {
    return notSupported(spec, "move volume files between a simulated and a real host");
  }
  if (!*fromAgent) return {};
  if (auto copied = files_.copyBetweenHosts(from, to, paths); !copied) return copied;
  // The copies are whole: what is left on `from` is only in the way of a later move back.
  for (const auto& path : paths) {
    if (auto removed = files_.remove({from}, path); !removed) return removed;
  }
  return {};
}

}  // namespace strato::primary
