// Volume files on a storage that KVM hosts reach at a path of their own file system (a shared
// mount point; NFS once mounted), through the strato-agent of one of those hosts. Every host of
// the storage sees the same files, so any one of them can do the work. Blocking.
#pragma once

#include <chrono>
#include <optional>

#include "agent_client/agent_client.h"
#include "agent_client/task_calls.h"
#include "ps_driver.h"

namespace strato::primary {

// The file system holding `dir` on one host, as its agent measures it (creating `dir`).
Result<StorageCapacity> diskUsage(const StorageHost& host, const std::string& dir,
                                  std::chrono::milliseconds timeout);

class AgentFiles {
 public:
  // Commands go through `tasks`: they copy whole files, so agents answer at once and call back.
  AgentFiles(MessageBus& bus, std::shared_ptr<agent::TaskCalls> tasks,
             std::chrono::milliseconds timeout)
      : bus_(bus), tasks_(std::move(tasks)), timeout_(timeout) {}

  // The first of `hosts` with an agent; none when every host is simulated.
  static std::optional<StorageHost> agentHost(const std::vector<StorageHost>& hosts);

  // The file system holding `dir`, as every agent host sees it (each must reach it).
  Result<StorageCapacity> usage(const std::string& dir, const std::vector<StorageHost>& hosts);
  // <dir>/dataVolumes/vol-<uuid>/<uuid>.<format>, blank or a copy of a snapshot or volume file,
  // or of an image, which comes to <dir>/imagecache/template/<image uuid>/ first (and stays for
  // the next volume made from it).
  Result<VolumeFile> create(const std::string& dir, const std::vector<StorageHost>& hosts,
                            const std::string& volumeUuid, std::int64_t size,
                            const std::string& format, const VolumeSource& source);
  Status remove(const std::vector<StorageHost>& hosts, const std::string& installPath);
  Result<VolumeFile> resize(const std::vector<StorageHost>& hosts, const std::string& installPath,
                            std::int64_t size);
  Result<VolumeFile> size(const std::vector<StorageHost>& hosts, const std::string& installPath);
  // The volume's content becomes the snapshot's again (a copy renamed over the volume's file).
  Result<VolumeFile> revert(const std::vector<StorageHost>& hosts,
                            const std::string& volumeInstallPath,
                            const std::string& snapshotInstallPath);
  // A full copy beside the volume: <volume dir>/snapshots/<snapshotUuid>.qcow2.
  Result<VolumeFile> snapshot(const std::vector<StorageHost>& hosts,
                              const std::string& volumeInstallPath, const std::string& snapshotUuid,
                              std::int64_t size);
  // The files at `paths` on `from` are copied to the same paths on `to` (kvm::kCopyHostFiles-
  // Message); `from` keeps its copies.
  Status copyBetweenHosts(const StorageHost& from, const StorageHost& to,
                          const std::vector<std::string>& paths);

 private:
  Reply ask(const std::vector<StorageHost>& hosts, std::string_view type, Json body);
  // The image's file at `path` on the host, from its backup storage unless there already.
  Status cacheImage(const StorageHost& host, const VolumeSource& source, const std::string& path);
  // A request to the kvm plugin on this node, waited for (this runs on the blocking pool, and
  // the work itself runs there too, in other threads).
  Reply askNode(Message message);

  MessageBus& bus_;
  std::shared_ptr<agent::TaskCalls> tasks_;
  std::chrono::milliseconds timeout_;
};

}  // namespace strato::primary
