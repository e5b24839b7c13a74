// Where KVM hosts find the files of a shared primary storage, for the storage plugin that makes
// volume files there and the kvm plugin whose hosts write heartbeats there. Header-only.
#pragma once

#include <string>
#include <string_view>

namespace strato::agent {

// A SharedMountPoint's url, which every host has mounted; an NFS share's "server:/export" as
// nfs://server/export, which agents and QEMU reach from userspace (nothing is mounted).
inline std::string sharedStorageRoot(std::string_view type, const std::string& url) {
  if (type != "NFS" || url.empty()) return url;
  std::size_t colon = url.front() == '[' ? url.find("]:") + 1 : url.find(':');
  if (colon == std::string::npos) return url;
  return "nfs://" + url.substr(0, colon) + url.substr(colon + 1);
}

// The file a host's agent rewrites every heartbeat interval on each shared storage it uses: what
// tells a host that is down from one only the management network lost (fencing).
inline std::string heartbeatPath(const std::string& root, const std::string& hostUuid) {
  return root + "/heartbeat/" + hostUuid;
}

}  // namespace strato::agent
