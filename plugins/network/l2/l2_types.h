// The two extension points of L2 networks, local to this plugin for now:
//   - L2NetworkFactory ("strato.L2NetworkFactory", one per L2 type): checks and completes a new
//     network of its type before the row is written (VLAN range, VNI from its pool, ...);
//     GetL2NetworkTypes lists the registered ones.
//   - L2NetworkRealizer ("strato.L2NetworkRealizer", one per hypervisor type): makes a network
//     exist on a host (a bridge on a NIC, a VLAN device, a VXLAN tunnel end) and tears it down.
//     Called for every Connected host of a cluster the network is attached to.
// Both belong in the SDK (sdk-headers/strato/l2_network.h) once another plugin implements them
// (the KVM agent of issue 8); the names are already the final ones, so that is a header move.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <strato/sdk.h>

namespace strato::l2 {

inline constexpr std::string_view kNoVlanType = "L2NoVlanNetwork";
inline constexpr std::string_view kVlanType = "L2VlanNetwork";
inline constexpr std::string_view kVxlanPoolType = "L2VxlanNetworkPool";
inline constexpr std::string_view kVxlanType = "L2VxlanNetwork";

struct L2NetworkSpec {
  std::string uuid;
  std::string name;
  std::string zoneUuid;
  std::string physicalInterface;
  std::string type;
  std::optional<std::int64_t> vlan;  // L2VlanNetwork
  std::optional<std::int64_t> vni;   // L2VxlanNetwork
  std::string poolUuid;              // L2VxlanNetwork: its L2VxlanNetworkPool
  std::int64_t mtu = 1500;           // what L3 networks on it default to
};

class L2NetworkFactory {
 public:
  static constexpr std::string_view kExtensionPoint = "strato.L2NetworkFactory";
  virtual ~L2NetworkFactory() = default;

  virtual std::string type() const = 0;
  // Checks the type's parameters (`params` is the API's) and completes `spec` (vlan, vni, mtu).
  // Runs inside the transaction that inserts the row, so what it reads stays true until the
  // insert; kInvalidArgument names the offending parameter. Blocking (SQL).
  virtual Status prepare(Database& tx, const Json& params, L2NetworkSpec& spec) = 0;
  // May the network be attached to the cluster? (Two no-VLAN networks on one interface of the
  // same hosts would fight over it.) Blocking.
  virtual Status checkAttach(Database& db, const L2NetworkSpec& spec,
                             const std::string& clusterUuid) {
    (void)db;
    (void)spec;
    (void)clusterUuid;
    return {};
  }
  // Whether hosts carry the network itself (a pool is only a container of VXLAN networks).
  virtual bool realizedOnHosts() const { return true; }
};

class L2NetworkRealizer {
 public:
  static constexpr std::string_view kExtensionPoint = "strato.L2NetworkRealizer";
  virtual ~L2NetworkRealizer() = default;

  virtual std::string hypervisorType() const = 0;
  // Makes the network exist on the host; idempotent. Blocking (an agent call).
  virtual Status realize(const L2NetworkSpec& l2, const HostSpec& host) = 0;
  // The reverse; idempotent, and what is not there is not an error. Blocking.
  virtual Status unrealize(const L2NetworkSpec& l2, const HostSpec& host) = 0;
  // The host row is gone.
  virtual void forgetHost(const std::string& hostUuid) { (void)hostUuid; }
  // The hosts the network spans changed without each being realized or unrealized (a cluster
  // detached, a host deleted): what the remaining hosts keep about each other is brought up to
  // date. Blocking; failures are the realizer's to log.
  virtual void membersChanged(const L2NetworkSpec& l2) { (void)l2; }
};

}  // namespace strato::l2
