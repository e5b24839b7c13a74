// The volume table and the Volume inventory (section 3.2 of the ZStack manual).
#pragma once

#include <strato/sdk.h>

namespace strato::volume {

void addSchema(Registrar& r);
// Which VMs each shareable volume is attached to (QueryShareableVolumeVmInstanceRef).
void addShareableSchema(Registrar& r);

}  // namespace strato::volume
