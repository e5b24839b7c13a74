#include "shared_storage_driver.h"

#include <cctype>

#include "agent_client/shared_storage.h"
#include "local_storage_driver.h"

namespace strato::primary {

Status validateNfsUrl(const std::string& url) {
  auto bad = [&](const std::string& why) {
    return makeError(ErrorCode::kInvalidArgument,
                     "an NFS url is 'host:/path' (e.g. 192.168.0.25:/share/nfs): " + why, url);
  };
  std::string host;
  std::string path;
  if (!url.empty() && url.front() == '[') {
    auto close = url.find("]:");
    if (close == std::string::npos) return bad("unclosed IPv6 address");
    host = url.substr(1, close - 1);
    path = url.substr(close + 2);
  } else {
    auto colon = url.find(':');
    if (colon == std::string::npos) return bad("no ':' between host and path");
    host = url.substr(0, colon);
    path = url.substr(colon + 1);
  }
  if (host.empty()) return bad("no host");
  for (char c : host) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_' ||
              (c == ':' && url.front() == '[');
    if (!ok) return bad("the host may hold only letters, digits, '.', '-' and '_'");
  }
  if (path.empty() || path.front() != '/') return bad("the path must be absolute");
  for (char c : path) {
    if (c == ' ' || c == '\t' || c == '\n') return bad("the path may not hold blanks");
  }
  return {};
}

Status SharedStorageDriver::validate(const PrimaryStorageSpec& spec) const {
  if (type_ == kNfsType) return validateNfsUrl(spec.url);
  return validateAbsolutePath(spec.url, "a SharedMountPoint");
}

// ZStack's mount points: NFS shares are mounted under /opt/zstack/nfsprimarystorage; a shared
// mount point is its url.
std::string SharedStorageDriver::mountPath(const PrimaryStorageSpec& spec) const {
  if (type_ == kNfsType) return "/opt/zstack/nfsprimarystorage/prim-" + spec.uuid;
  return spec.url;
}

std::string SharedStorageDriver::filesRoot(const PrimaryStorageSpec& spec) const {
  return agent::sharedStorageRoot(type_, spec.url);
}

Result<StorageCapacity> SharedStorageDriver::mount(const PrimaryStorageSpec& spec,
                                                   const std::vector<StorageHost>& hosts) {
  for (const auto& host : hosts) {
    if (host.hypervisorType != "Simulator" && host.agentPort <= 0) {
      return makeError(ErrorCode::kNotSupported,
                       "mounting " + type_ + " storage on " + host.hypervisorType +
                           " hosts is not built yet",
                       "host " + host.managementIp);
    }
  }
  StorageCapacity agents{0, 0, false};
  if (AgentFiles::agentHost(hosts)) {
    auto measured = files_.usage(filesRoot(spec), hosts);
    if (!measured) return measured.error();
    agents = *measured;
  }
  std::lock_guard lock(mutex_);
  auto& mounted = mounted_[spec.uuid];
  for (const auto& host : hosts) mounted.insert(host.uuid);
  if (agents.known) return agents;
  if (mounted.empty()) return StorageCapacity{0, 0, false};
  return StorageCapacity{simulatedBytes_, simulatedBytes_, true};
}

Result<StorageCapacity> SharedStorageDriver::connect(const PrimaryStorageSpec& spec,
                                                     const std::vector<StorageHost>& hosts) {
  if (hosts.empty()) return StorageCapacity{0, 0, false};
  return mount(spec, hosts);
}

Result<StorageCapacity> SharedStorageDriver::attach(const PrimaryStorageSpec& spec,
                                                    const std::string&,
                                                    const std::vector<StorageHost>& hosts) {
  return mount(spec, hosts);
}

Result<StorageCapacity> SharedStorageDriver::detach(const PrimaryStorageSpec& spec,
                                                    const std::string&,
                                                    const std::vector<StorageHost>& hosts) {
  std::lock_guard lock(mutex_);
  auto it = mounted_.find(spec.uuid);
  if (it != mounted_.end()) {
    for (const auto& host : hosts) it->second.erase(host.uuid);
  }
  // What the share holds does not change with who mounts it: keep the last figures.
  return StorageCapacity{0, 0, false};
}

Result<StorageCapacity> SharedStorageDriver::syncCapacity(const PrimaryStorageSpec& spec,
                                                          const std::vector<StorageHost>& hosts) {
  return connect(spec, hosts);
}

// Image caches arrive with the image plugin; until then there is nothing cached to drop.
Result<std::int64_t> SharedStorageDriver::cleanUpImageCache(const PrimaryStorageSpec&,
                                                            const std::vector<StorageHost>&) {
  return std::int64_t{0};
}

void SharedStorageDriver::forgetHost(const std::string& hostUuid) {
  std::lock_guard lock(mutex_);
  for (auto& [storage, hosts] : mounted_) hosts.erase(hostUuid);
}

void SharedStorageDriver::forgetStorage(const std::string& storageUuid) {
  std::lock_guard lock(mutex_);
  mounted_.erase(storageUuid);
}

std::size_t SharedStorageDriver::mountedHosts(const std::string& storageUuid) const {
  std::lock_guard lock(mutex_);
  auto it = mounted_.find(storageUuid);
  return it == mounted_.end() ? 0 : it->second.size();
}

}  // namespace strato::primary
