// Volume snapshots and snapshot groups: schema, APIs and handlers of the volume plugin.
#pragma once

#include <memory>

#include <strato/sdk.h>

#include "snapshot_service.h"
#include "volume_service.h"

namespace strato::volume {

void addSnapshotApis(Registrar& r, const std::shared_ptr<SnapshotService>& snapshots,
                     const std::shared_ptr<VolumeService>& volumes);

}  // namespace strato::volume
