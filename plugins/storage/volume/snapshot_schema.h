// Tables and inventories of volume snapshots, their trees and snapshot groups.
#pragma once

#include <strato/sdk.h>

namespace strato::volume {

void addSnapshotSchema(Registrar& r);

}  // namespace strato::volume
