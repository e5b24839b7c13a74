// What happens to VMs when what they stand on is deleted:
//   - VmInstanceVO below ZoneVO and PrimaryStorageVO (their root volume's storage): Permissive
//     refuses naming the VMs; Enforcing expunges them;
//   - VmNicVO below L3NetworkVO and IpRangeVO: Permissive refuses; Enforcing releases the NICs'
//     IPs and deletes the NICs;
//   - VmInstanceHostRefVO below HostVO, one "<vm>:<host>" per VM holding the host's capacity:
//     Permissive refuses (stop or migrate them first); Enforcing marks them Stopped (the guests
//     went with the host).
#pragma once

#include <memory>

#include "vm_service.h"

namespace strato::vm {

void addCascades(Registrar& r, const std::shared_ptr<VmService>& service);

}  // namespace strato::vm
