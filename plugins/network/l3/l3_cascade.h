// Cascade nodes of L3 networks:
//   L3NetworkVO  below L2NetworkVO: the networks on an L2 (with their used IPs and service refs);
//   IpRangeVO    below L3NetworkVO: their ranges (with the ranges' used IPs).
// Used IPs have no node of their own: they go with their range (no tags, no owner), and the VM
// plugin will hang its NICs below L3NetworkVO. Blocking (SQL); the kernel calls these on its
// blocking pool.
#pragma once

#include <memory>

#include "l3_service.h"

namespace strato::l3 {

class L3NetworkCascade : public CascadeNode {
 public:
  L3NetworkCascade(Database& db, std::shared_ptr<L3NetworkService> service)
      : db_(db), service_(std::move(service)) {}
  std::string resourceType() const override { return "L3NetworkVO"; }
  std::vector<std::string> parentTypes() const override { return {"L2NetworkVO"}; }
  Result<std::vector<std::string>> below(const std::string& parentType,
                                         const std::vector<std::string>& parentUuids) override;
  Status remove(const std::vector<std::string>& uuids, DeleteMode mode) override;

 private:
  Database& db_;
  std::shared_ptr<L3NetworkService> service_;
};

class IpRangeCascade : public CascadeNode {
 public:
  IpRangeCascade(Database& db, IpAllocator& allocator) : db_(db), allocator_(allocator) {}
  std::string resourceType() const override { return "IpRangeVO"; }
  std::vector<std::string> parentTypes() const override { return {"L3NetworkVO"}; }
  Result<std::vector<std::string>> below(const std::string& parentType,
                                         const std::vector<std::string>& parentUuids) override;
  Status remove(const std::vector<std::string>& uuids, DeleteMode mode) override;

 private:
  Database& db_;
  IpAllocator& allocator_;
};

// The L3 networks of these ranges (to invalidate the allocator after a range went).
Result<std::vector<std::string>> l3sOfRanges(Database& db, const std::vector<std::string>& uuids);

}  // namespace strato::l3
