#include "snapshot_schema.h"

namespace strato::volume {

// A volume's snapshots form trees: each snapshot's parent is the volume's latest snapshot when it
// was taken; reverting to an older one and snapshotting again starts a branch. One tree per volume
// is current (the one its content comes from). ZStack starts a new tree after a full snapshot;
// the simulator's snapshots are all full copies, so one tree grows per volume.
void addSnapshotSchema(Registrar& r) {
  r.addMigrations(
      {{3,
        "volume snapshots and snapshot groups",
        {"CREATE TABLE volume_snapshot_tree (uuid VARCHAR(32) PRIMARY KEY, "
         "volumeUuid VARCHAR(32) NOT NULL, current BOOLEAN NOT NULL, status VARCHAR(32) NOT NULL, "
         "createDate BIGINT NOT NULL, lastOpDate BIGINT NOT NULL)",
         "CREATE INDEX volume_snapshot_tree_volume ON volume_snapshot_tree (volumeUuid)",
         "CREATE TABLE volume_snapshot (uuid VARCHAR(32) PRIMARY KEY, name VARCHAR(255) NOT NULL, "
         "description TEXT, type VARCHAR(32) NOT NULL, volumeUuid VARCHAR(32) NOT NULL, "
         "treeUuid VARCHAR(32) NOT NULL, parentUuid VARCHAR(32), "
         "primaryStorageUuid VARCHAR(32) NOT NULL, primaryStorageInstallPath VARCHAR(1024) NOT "
         "NULL, volumeType VARCHAR(32) NOT NULL, format VARCHAR(32) NOT NULL, "
         "latest BOOLEAN NOT NULL, size BIGINT NOT NULL, distance INTEGER NOT NULL, "
         "fullSnapshot BOOLEAN NOT NULL, state VARCHAR(32) NOT NULL, status VARCHAR(32) NOT NULL, "
         "createDate BIGINT NOT NULL, lastOpDate BIGINT NOT NULL)",
         "CREATE INDEX volume_snapshot_volume ON volume_snapshot (volumeUuid)",
         "CREATE INDEX volume_snapshot_parent ON volume_snapshot (parentUuid)",
         "CREATE TABLE volume_snapshot_group (uuid VARCHAR(32) PRIMARY KEY, "
         "name VARCHAR(255) NOT NULL, description TEXT, vmInstanceUuid VARCHAR(32) NOT NULL, "
         "snapshotCount INTEGER NOT NULL, createDate BIGINT NOT NULL, lastOpDate BIGINT NOT NULL)",
         "CREATE TABLE volume_snapshot_group_ref (volumeSnapshotUuid VARCHAR(32) PRIMARY KEY, "
         "volumeSnapshotGroupUuid VARCHAR(32) NOT NULL, volumeUuid VARCHAR(32) NOT NULL, "
         "volumeName VARCHAR(255) NOT NULL, volumeType VARCHAR(32) NOT NULL, "
         "deviceId INTEGER NOT NULL, snapshotDeleted BOOLEAN NOT NULL, "
         "volumeSnapshotInstallPath VARCHAR(1024) NOT NULL, volumeSnapshotName VARCHAR(255) NOT "
         "NULL, createDate BIGINT NOT NULL, lastOpDate BIGINT NOT NULL)",
         "CREATE INDEX volume_snapshot_group_ref_group ON volume_snapshot_group_ref "
         "(volumeSnapshotGroupUuid)"}}});
  using F = FieldType;
  InventorySchema snapshot{"VolumeSnapshot",
                           "volume_snapshot",
                           "org.zstack.header.storage.snapshot.VolumeSnapshotInventory",
                           {{"uuid"},
                            {"name"},
                            {"description"},
                            {"type"},
                            {"volumeUuid"},
                            {"treeUuid"},
                            {"parentUuid"},
                            {"primaryStorageUuid"},
                            {"primaryStorageInstallPath"},
                            {"volumeType"},
                            {"format"},
                            {"latest", F::kBoolean},
                            {"size", F::kInteger},
                            {"distance", F::kInteger},
                            {"fullSnapshot", F::kBoolean},
                            {"state"},
                            {"status"},
                            {"createDate", F::kDate},
                            {"lastOpDate", F::kDate}},
                           {{"volume", "Volume", "volumeUuid", "uuid"},
                            {"tree", "VolumeSnapshotTree", "treeUuid", "uuid"},
                            {"primaryStorage", "PrimaryStorage", "primaryStorageUuid", "uuid"}}};
  snapshot.ownedByAccount = true;
  r.addInventory(snapshot);
  r.addInventory({"VolumeSnapshotTree",
                  "volume_snapshot_tree",
                  "org.zstack.header.storage.snapshot.VolumeSnapshotTreeInventory",
                  {{"uuid"},
                   {"volumeUuid"},
                   {"current", F::kBoolean},
                   {"status"},
                   {"createDate", F::kDate},
                   {"lastOpDate", F::kDate}},
                  {{"volume", "Volume", "volumeUuid", "uuid"}}});
  r.addInventory({"VolumeSnapshotGroupRef",
                  "volume_snapshot_group_ref",
                  "org.zstack.header.storage.snapshot.group.VolumeSnapshotGroupRefInventory",
                  {{"volumeSnapshotUuid"},
                   {"volumeSnapshotGroupUuid"},
                   {"volumeUuid"},
                   {"volumeName"},
                   {"volumeType"},
                   {"deviceId", F::kInteger},
                   {"snapshotDeleted", F::kBoolean},
                   {"volumeSnapshotInstallPath"},
                   {"volumeSnapshotName"},
                   {"createDate", F::kDate},
                   {"lastOpDate", F::kDate}},
                  {}});
  InventorySchema group{"VolumeSnapshotGroup",
                        "volume_snapshot_group",
                        "org.zstack.header.storage.snapshot.group.VolumeSnapshotGroupInventory",
                        {{"uuid"},
                         {"name"},
                         {"description"},
                         {"vmInstanceUuid"},
                         {"snapshotCount", F::kInteger},
                         {"createDate", F::kDate},
                         {"lastOpDate", F::kDate}},
                        {{"volumeSnapshotRefs", "VolumeSnapshotGroupRef", "uuid",
                          "volumeSnapshotGroupUuid"}}};
  group.ownedByAccount = true;
  group.lists = {{"volumeSnapshotRefs", "VolumeSnapshotGroupRef", "uuid", "volumeSnapshotGroupUuid",
                  "deviceId"}};
  r.addInventory(group);
}

}  // namespace strato::volume
