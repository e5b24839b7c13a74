// The four L2 types of section 5.1: L2NoVlanNetwork, L2VlanNetwork, L2VxlanNetworkPool and
// L2VxlanNetwork, as L2NetworkFactory implementations.
#pragma once

#include "l2_types.h"

namespace strato::l2 {

// VXLAN network identifiers: 24 bits, 0 and 2^24-1 reserved.
inline constexpr std::int64_t kMinVni = 1;
inline constexpr std::int64_t kMaxVni = 16777214;

class NoVlanFactory : public L2NetworkFactory {
 public:
  std::string type() const override { return std::string(kNoVlanType); }
  Status prepare(Database& tx, const Json& params, L2NetworkSpec& spec) override;
  Status checkAttach(Database& db, const L2NetworkSpec& spec,
                     const std::string& clusterUuid) override;
};

class VlanFactory : public L2NetworkFactory {
 public:
  std::string type() const override { return std::string(kVlanType); }
  Status prepare(Database& tx, const Json& params, L2NetworkSpec& spec) override;
};

class VxlanPoolFactory : public L2NetworkFactory {
 public:
  std::string type() const override { return std::string(kVxlanPoolType); }
  Status prepare(Database& tx, const Json& params, L2NetworkSpec& spec) override;
  bool realizedOnHosts() const override { return false; }
};

class VxlanFactory : public L2NetworkFactory {
 public:
  std::string type() const override { return std::string(kVxlanType); }
  Status prepare(Database& tx, const Json& params, L2NetworkSpec& spec) override;
  Status checkAttach(Database& db, const L2NetworkSpec& spec,
                     const std::string& clusterUuid) override;
};

// The lowest VNI of the pool's ranges that no VXLAN network of the pool uses; kConflict when
// all are taken, kInvalidArgument when the pool has no range. Blocking.
Result<std::int64_t> freeVni(Database& db, const std::string& poolUuid);

}  // namespace strato::l2
