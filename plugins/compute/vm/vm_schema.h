// Tables vm_instance and vm_nic, and the inventories VmInstance (with its "vmNics" and
// "allVolumes" lists) and VmNic.
#pragma once

#include <strato/sdk.h>

namespace strato::vm {

void addSchema(Registrar& r);

}  // namespace strato::vm
