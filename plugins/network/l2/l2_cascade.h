// Cascade nodes of L2 networks:
//   L2NetworkVO          below ZoneVO (a zone's networks) and L2NetworkVO (a pool's VXLAN
//                        networks);
//   L2NetworkClusterRefVO below ClusterVO and L2NetworkVO: attachments, named
//                        "<l2NetworkUuid>:<clusterUuid>"; removing one tears the network down on
//                        the cluster's hosts (failures are logged: the hosts usually go too);
//   VniRangeVO           below L2NetworkVO: a pool's VNI ranges.
// Everything blocks (SQL, realizers); the kernel calls these on its blocking pool.
#pragma once

#include <memory>

#include "l2_service.h"

namespace strato::l2 {

class L2NetworkCascade : public CascadeNode {
 public:
  explicit L2NetworkCascade(Database& db) : db_(db) {}
  std::string resourceType() const override { return "L2NetworkVO"; }
  std::vector<std::string> parentTypes() const override { return {"ZoneVO", "L2NetworkVO"}; }
  Result<std::vector<std::string>> below(const std::string& parentType,
                                         const std::vector<std::string>& parentUuids) override;
  Status remove(const std::vector<std::string>& uuids, DeleteMode mode) override;

 private:
  Database& db_;
};

class L2ClusterRefCascade : public CascadeNode {
 public:
  L2ClusterRefCascade(Database& db, std::shared_ptr<L2NetworkService> service)
      : db_(db), service_(std::move(service)) {}
  std::string resourceType() const override { return "L2NetworkClusterRefVO"; }
  std::vector<std::string> parentTypes() const override { return {"ClusterVO", "L2NetworkVO"}; }
  Result<std::vector<std::string>> below(const std::string& parentType,
                                         const std::vector<std::string>& parentUuids) override;
  Status remove(const std::vector<std::string>& uuids, DeleteMode mode) override;

 private:
  Database& db_;
  std::shared_ptr<L2NetworkService> service_;
};

class VniRangeCascade : public CascadeNode {
 public:
  explicit VniRangeCascade(Database& db) : db_(db) {}
  std::string resourceType() const override { return "VniRangeVO"; }
  std::vector<std::string> parentTypes() const override { return {"L2NetworkVO"}; }
  Result<std::vector<std::string>> below(const std::string& parentType,
                                         const std::vector<std::string>& parentUuids) override;
  Status remove(const std::vector<std::string>& uuids, DeleteMode mode) override;

 private:
  Database& db_;
};

}  // namespace strato::l2
