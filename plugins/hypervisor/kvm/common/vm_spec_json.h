// VmSpec as JSON, for the commands that carry a guest to the agent (kvm_protocol.h).
#pragma once

#include <strato/vm.h>

namespace strato::kvm {

Json toJson(const VmNicSpec& nic);
Json toJson(const VmVolumeSpec& volume);
Json toJson(const VmSpec& vm);
// Missing fields keep their defaults; kInvalidArgument when a field has the wrong JSON type.
Result<VmNicSpec> nicFromJson(const Json& j);
Result<VmVolumeSpec> volumeFromJson(const Json& j);
Result<VmSpec> vmFromJson(const Json& j);

}  // namespace strato::kvm
