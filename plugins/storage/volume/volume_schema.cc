#include "volume_schema.h"

namespace strato::volume {
namespace {

// volumeBandwidth is SetVolumeQoS's setting (bytes/s; NULL = none): kept on the row for the
// hypervisor to enforce, and not part of the seed's inventory.
Migration tables() {
  return {1,
          "volumes",
          {"CREATE TABLE volume (uuid VARCHAR(32) PRIMARY KEY, name VARCHAR(255) NOT NULL, "
           "description TEXT, primaryStorageUuid VARCHAR(32), vmInstanceUuid VARCHAR(32), "
           "diskOfferingUuid VARCHAR(32), rootImageUuid VARCHAR(32), installPath VARCHAR(2048), "
           "type VARCHAR(32) NOT NULL, format VARCHAR(32) NOT NULL, "
           "size BIGINT NOT NULL DEFAULT 0, actualSize BIGINT, deviceId INTEGER, "
           "state VARCHAR(32) NOT NULL, status VARCHAR(32) NOT NULL, "
           "isShareable BOOLEAN NOT NULL DEFAULT FALSE, volumeBandwidth BIGINT, "
           "createDate BIGINT NOT NULL, lastOpDate BIGINT NOT NULL)",
           "CREATE INDEX volume_primary_storage ON volume (primaryStorageUuid)",
           "CREATE INDEX volume_name ON volume (name)"}};
}

// A VM's volumes are listed with it (its "allVolumes"), one lookup per page of VMs.
Migration vmIndex() { return {2, "volumes by VM", {"CREATE INDEX volume_vm ON volume (vmInstanceUuid)"}}; }

// A shareable volume's VMs, each with the device id it has there (the volume's own
// vmInstanceUuid and deviceId stay null, as in ZStack). Version 3 is the snapshots'.
Migration shareableRefs() {
  return {4,
          "shareable volume refs",
          {"CREATE TABLE shareable_volume_vm_instance_ref (volumeUuid VARCHAR(32) NOT NULL, "
           "vmInstanceUuid VARCHAR(32) NOT NULL, deviceId INTEGER NOT NULL, "
           "createDate BIGINT NOT NULL, lastOpDate BIGINT NOT NULL, "
           "PRIMARY KEY (volumeUuid, vmInstanceUuid))",
           "CREATE INDEX shareable_volume_vm_instance_ref_vm ON shareable_volume_vm_instance_ref "
           "(vmInstanceUuid)"}};
}

}  // namespace

void addSchema(Registrar& r) {
  r.addMigrations({tables(), vmIndex()});
  using F = FieldType;
  InventorySchema volume{"Volume",
                         "volume",
                         "org.zstack.header.volume.VolumeInventory",
                         {{"uuid"},
                          {"name"},
                          {"description"},
                          {"primaryStorageUuid"},
                          {"vmInstanceUuid"},
                          {"diskOfferingUuid"},
                          {"rootImageUuid"},
                          {"installPath"},
                          {"type"},
                          {"format"},
                          {"size", F::kInteger},
                          {"actualSize", F::kInteger},
                          {"deviceId", F::kInteger},
                          {"state"},
                          {"status"},
                          {"createDate", F::kDate},
                          {"lastOpDate", F::kDate},
                          {"isShareable", F::kBoolean}},
                         {{"primaryStorage", "PrimaryStorage", "primaryStorageUuid", "uuid"},
                          {"diskOffering", "DiskOffering", "diskOfferingUuid", "uuid"},
                          {"image", "Image", "rootImageUuid", "uuid"}}};
  volume.ownedByAccount = true;
  r.addInventory(volume);
}

void addShareableSchema(Registrar& r) {
  using F = FieldType;
  r.addMigrations({shareableRefs()});
  r.addInventory({"ShareableVolumeVmInstanceRef",
                  "shareable_volume_vm_instance_ref",
                  "org.zstack.header.volume.ShareableVolumeVmInstanceRefInventory",
                  {{"volumeUuid"},
                   {"vmInstanceUuid"},
                   {"deviceId", F::kInteger},
                   {"createDate", F::kDate},
                   {"lastOpDate", F::kDate}},
                  {{"volume", "Volume", "volumeUuid", "uuid"},
                   {"vmInstance", "VmInstance", "vmInstanceUuid", "uuid"}}});
}

}  // namespace strato::volume
