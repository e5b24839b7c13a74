// Fencing: telling a host that is down from one the management node only cannot reach. A guest
// started on a second host while the first still runs it would have two machines writing its
// disks, so HA starts the VMs of a Disconnected host elsewhere only when the fencer of the host's
// hypervisor type says the host is down. Without a fencer, or when it cannot tell, the VMs wait in
// state Unknown until the host is back.
#pragma once

#include <string>
#include <string_view>

#include "strato/result.h"

namespace strato {

class HostFencer {
 public:
  static constexpr std::string_view kExtensionPoint = "strato.HostFencer";
  virtual ~HostFencer() = default;
  // Registered under the hypervisor type it fences ("KVM", "Simulator").
  virtual std::string type() const = 0;
  // true only when the host surely runs no guest any more (powered off, or seen dead by another
  // way than the management network); false when it may still run them. Blocking: a fencer may
  // take a while to be sure.
  virtual Result<bool> isDown(const std::string& hostUuid) = 0;
};

}  // namespace strato
