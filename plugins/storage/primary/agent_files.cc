#include "agent_files.h"

#include <strato/handler_util.h>

#include <future>

#include "agent_client/kvm_protocol.h"

namespace strato::primary {
namespace {

Result<VolumeFile> fileOf(const Reply& reply, const std::string& path) {
  if (!reply) return reply.error();
  return VolumeFile{path, reply->value("size", std::int64_t{0}),
                    reply->value("actualSize", std::int64_t{0})};
}

}  // namespace

Result<StorageCapacity> diskUsage(const StorageHost& host, const std::string& dir,
                                  std::chrono::milliseconds timeout) {
  auto used = agent::call({host.managementIp, host.agentPort},
                          Message{std::string(kvm::kDiskUsage), "", Json{{"path", dir}}}, timeout);
  if (!used) return failedWhile(used.error(), "reaching " + dir + " on host " + host.managementIp);
  return StorageCapacity{used->value("total", std::int64_t{0}),
                         used->value("available", std::int64_t{0}), true};
}

std::optional<StorageHost> AgentFiles::agentHost(const std::vector<StorageHost>& hosts) {
  for (const auto& h : hosts) {
    if (h.agentPort > 0) return h;
  }
  return std::nullopt;
}

Reply AgentFiles::ask(const std::vector<StorageHost>& hosts, std::string_view type, Json body) {
  if (!agentHost(hosts)) {
    return makeError(ErrorCode::kNotSupported,
                     "this storage holds volume files only for hosts with a strato-agent (KVM)",
                     "no Connected KVM host uses it");
  }
  // Every host sees the same files: one whose agent cannot be reached (it died a moment ago and
  // the host is not Disconnected yet) hands the work to the next.
  Reply reply = makeError(ErrorCode::kUnavailable, "no agent answered");
  for (const auto& h : hosts) {
    if (h.agentPort <= 0) continue;
    reply =
        tasks_->call({h.managementIp, h.agentPort}, Message{std::string(type), "", body}, timeout_);
    bool unreachable = !reply && (reply.error().code == ErrorCode::kUnavailable ||
                                  reply.error().code == ErrorCode::kTimeout);
    if (!unreachable) return reply;
  }
  return reply;
}

Result<StorageCapacity> AgentFiles::usage(const std::string& dir,
                                          const std::vector<StorageHost>& hosts) {
  std::optional<StorageCapacity> seen;
  for (const auto& h : hosts) {
    if (h.agentPort <= 0) continue;
    auto used = diskUsage(h, dir, timeout_);
    if (!used) return used.error();
    seen = *used;
  }
  if (!seen) return StorageCapacity{0, 0, false};
  return *seen;
}

Result<VolumeFile> AgentFiles::create(const std::string& dir, const std::vector<StorageHost>& hosts,
                                      const std::string& volumeUuid, std::int64_t size,
                                      const std::string& format, const VolumeSource& source) {
  std::string path = dir + "/dataVolumes/vol-" + volumeUuid + "/" + volumeUuid + "." + format;
  std::string copyFrom =
      !source.snapshotInstallPath.empty() ? source.snapshotInstallPath : source.srcInstallPath;
  if (!source.imageUuid.empty()) {
    auto host = agentHost(hosts);
    if (!host) return ask(hosts, kvm::kCreateVolume, Json::object()).error();
    copyFrom = dir + "/imagecache/template/" + source.imageUuid + "/" + source.imageUuid + "." +
               format;
    if (auto cached = cacheImage(*host, source, copyFrom); !cached) return cached.error();
  }
  Json body{{"path", path}, {"size", size}, {"format", format}};
  if (!copyFrom.empty()) body["copyFrom"] = copyFrom;
  return fileOf(ask(hosts, kvm::kCreateVolume, body), path);
}

Status AgentFiles::cacheImage(const StorageHost& host, const VolumeSource& source,
                              const std::string& path) {
  Json body{{"hostUuid", host.uuid},
            {"backupStorageUuid", source.backupStorageUuid},
            {"installPath", source.installPath},
            {"path", path}};
  auto cached = askNode({std::string(kvm::kCacheImageMessage), path, body});
  if (!cached)
    return failedWhile(cached.error(), "copying image " + source.imageUuid + " to the host");
  return {};
}

Reply AgentFiles::askNode(Message message) {
  auto done = std::make_shared<std::promise<Reply>>();
  auto reply = done->get_future();
  bus_.request(
      std::move(message), [done](Reply r) { done->set_value(std::move(r)); }, timeout_);
  return reply.get();
}

Status AgentFiles::copyBetweenHosts(const StorageHost& from, const StorageHost& to,
                                    const std::vector<std::string>& paths) {
  auto copied = askNode({std::string(kvm::kCopyHostFilesMessage),
                         "",
                         {{"fromHostUuid", from.uuid}, {"toHostUuid", to.uuid}, {"paths", paths}}});
  if (!copied) {
    return failedWhile(copied.error(), "copying volume files from host " + from.managementIp +
                                           " to " + to.managementIp);
  }
  return {};
}

Status AgentFiles::remove(const std::vector<StorageHost>& hosts, const std::string& installPath) {
  auto done = ask(hosts, kvm::kDeleteFile, Json{{"path", installPath}});
  return done ? Status{} : Status{done.error()};
}

Result<VolumeFile> AgentFiles::resize(const std::vector<StorageHost>& hosts,
                                      const std::string& installPath, std::int64_t size) {
  return fileOf(ask(hosts, kvm::kResizeVolume, Json{{"path", installPath}, {"size", size}}),
                installPath);
}

Result<VolumeFile> AgentFiles::size(const std::vector<StorageHost>& hosts,
                                    const std::string& installPath) {
  return fileOf(ask(hosts, kvm::kVolumeInfo, Json{{"path", installPath}}), installPath);
}

Result<VolumeFile> AgentFiles::revert(const std::vector<StorageHost>& hosts,
                                      const std::string& volumeInstallPath,
                                      const std::string& snapshotInstallPath) {
  return fileOf(ask(hosts, kvm::kReplaceVolume,
                    Json{{"path", volumeInstallPath}, {"copyFrom", snapshotInstallPath}}),
                volumeInstallPath);
}

Result<VolumeFile> AgentFiles::snapshot(const std::vector<StorageHost>& hosts,
                                        const std::string& volumeInstallPath,
                                        const std::string& snapshotUuid, std::int64_t size) {
  auto dir = volumeInstallPath.substr(0, volumeInstallPath.rfind('/'));
  std::string path = dir + "/snapshots/" + snapshotUuid + ".qcow2";
  return fileOf(ask(hosts, kvm::kCreateVolume,
                    Json{{"path", path}, {"size", size}, {"format", "qcow2"},
                         {"copyFrom", volumeInstallPath}}),
                path);
}

}  // namespace strato::primary
