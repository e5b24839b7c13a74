// Volume files on primary storage, as the volume plugin asks for them. The primary storage
// plugin keeps the storages, their drivers and their capacities; the volume plugin keeps which
// volumes exist. Each message is a bus request sent without a resourceUuid (volumes on one
// storage are created in parallel; the capacity is reserved by one atomic UPDATE). Errors come
// back as the reply's error: kNotFound (no such storage), kConflict (the storage is not Enabled
// or not Connected, or lacks the capacity; nothing is reserved then), kNotSupported (the type
// cannot hold volumes yet), or what the storage said.
#pragma once

#include <string_view>

namespace strato {

// {"primaryStorageUuid", "volumeUuid", "size", "format",
//  "imageUuid"?, "backupStorageUuid"?, "imageInstallPath"?     (the three for a template copy)
//  "snapshotInstallPath"?                                       (a copy of a snapshot there)
//  "srcPrimaryStorageUuid"?, "srcInstallPath"?}                 (a copy of another storage's
//                                                                volume: a migration)
//   -> {"installPath", "size", "actualSize"}
// Reserves `size` of the storage's availableCapacity, then has the storage create the file;
// a failed create gives the capacity back.
inline constexpr std::string_view kCreateVolumeMessage = "primaryStorage.CreateVolume";
// {"primaryStorageUuid", "installPath", "size"} -> {}
// Deletes the file and gives `size` (what CreateVolume/ResizeVolume reserved) back. A file
// already gone is no error; kNotFound when the storage itself is gone (it took the file along).
inline constexpr std::string_view kDeleteVolumeMessage = "primaryStorage.DeleteVolume";
// {"primaryStorageUuid", "installPath", "size", "newSize"} -> {"installPath", "size",
// "actualSize"}. Grows the file from `size` to `newSize` (> size), reserving the difference
// first (given back if the storage fails). Needs the storage Enabled and Connected.
inline constexpr std::string_view kResizeVolumeMessage = "primaryStorage.ResizeVolume";
// {"primaryStorageUuid", "installPath"} -> {"size", "actualSize"}: the file's sizes now.
inline constexpr std::string_view kVolumeSizeMessage = "primaryStorage.VolumeSize";
// {"primaryStorageUuid", "installPath" (the volume's), "snapshotUuid", "size"}
//   -> {"installPath", "size", "actualSize"}: the volume's content now, kept as a snapshot file.
// Reserves `size` first (given back if the storage fails); kDeleteVolumeMessage deletes it.
inline constexpr std::string_view kCreateSnapshotMessage = "primaryStorage.CreateSnapshot";
// {"primaryStorageUuid", "installPath", "snapshotInstallPath"} -> {"installPath", "size",
// "actualSize"}: the volume's content becomes the snapshot's again.
inline constexpr std::string_view kRevertVolumeMessage = "primaryStorage.RevertVolume";

}  // namespace strato
