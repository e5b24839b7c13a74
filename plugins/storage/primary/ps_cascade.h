// Cascade nodes of primary storage:
//   PrimaryStorageVO            below ZoneVO: the storages of a zone;
//   PrimaryStorageClusterRefVO  below ClusterVO and PrimaryStorageVO: attachments, named
//                               "<primaryStorageUuid>:<clusterUuid>" (the kernel then forgets tags
//                               of these names, which never have any);
//   LocalStorageHostRefVO       below HostVO and PrimaryStorageVO: a local storage's hosts, named
//                               "<primaryStorageUuid>:<hostUuid>"; removing them lowers the
//                               storage's capacity by the hosts' disks.
// Everything blocks (SQL); the kernel calls these on its blocking pool.
#pragma once

#include <memory>

#include "ps_service.h"

namespace strato::primary {

class PrimaryStorageCascade : public CascadeNode {
 public:
  PrimaryStorageCascade(Database& db, std::shared_ptr<PrimaryStorageService> service)
      : db_(db), service_(std::move(service)) {}
  std::string resourceType() const override { return "PrimaryStorageVO"; }
  std::vector<std::string> parentTypes() const override { return {"ZoneVO"}; }
  Result<std::vector<std::string>> below(const std::string& parentType,
                                         const std::vector<std::string>& parentUuids) override;
  Status remove(const std::vector<std::string>& uuids, DeleteMode mode) override;

 private:
  Database& db_;
  std::shared_ptr<PrimaryStorageService> service_;
};

class ClusterAttachmentCascade : public CascadeNode {
 public:
  ClusterAttachmentCascade(Database& db, std::shared_ptr<PrimaryStorageService> service)
      : db_(db), service_(std::move(service)) {}
  std::string resourceType() const override { return "PrimaryStorageClusterRefVO"; }
  std::vector<std::string> parentTypes() const override {
    return {"ClusterVO", "PrimaryStorageVO"};
  }
  Result<std::vector<std::string>> below(const std::string& parentType,
                                         const std::vector<std::string>& parentUuids) override;
  Status remove(const std::vector<std::string>& uuids, DeleteMode mode) override;

 private:
  Database& db_;
  std::shared_ptr<PrimaryStorageService> service_;
};

class LocalHostRefCascade : public CascadeNode {
 public:
  LocalHostRefCascade(Database& db, std::shared_ptr<PrimaryStorageService> service)
      : db_(db), service_(std::move(service)) {}
  std::string resourceType() const override { return "LocalStorageHostRefVO"; }
  std::vector<std::string> parentTypes() const override { return {"HostVO", "PrimaryStorageVO"}; }
  Result<std::vector<std::string>> below(const std::string& parentType,
                                         const std::vector<std::string>& parentUuids) override;
  // Permissive refuses a host whose disk still holds volume or snapshot files: they would go
  // with it. Enforcing lets them go (their refs with the host's).
  Status check(const std::vector<std::string>& uuids, DeleteMode mode) override;
  Status remove(const std::vector<std::string>& uuids, DeleteMode mode) override;

 private:
  Database& db_;
  std::shared_ptr<PrimaryStorageService> service_;
};

}  // namespace strato::primary
