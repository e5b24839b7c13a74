// Volume files on primary storage, as the volume plugin asks for them. The primary storage
// plugin keeps the storages, their drivers and their capacities; the volume plugin keeps which
// volumes exist. Each message is a bus request not queued on a resource (Message::resourceUuid
// stays empty: volumes on one storage are created in parallel; the capacity is reserved by one
// atomic UPDATE). Errors come back as the reply's error: kNotFound (no such storage), kConflict
// (the storage is not Enabled or not Connected, or lacks the capacity; nothing is reserved then),
// kNotSupported (the type cannot hold volumes yet), or what the storage said.
//
// LocalStorage keeps each file on one host's own disk and records which
// (local_storage_resource_ref, with that disk's share of local_storage_host_ref). So its
// messages name the owner of the file "installPath" names, in the body's "resourceUuid": the
// volume, or the snapshot; other types ignore it. A host that holds the file but is not
// Connected makes the call kConflict.
#pragma once

#include <string_view>

namespace strato {

// {"primaryStorageUuid", "volumeUuid", "size", "format",
//  "imageUuid"?, "backupStorageUuid"?, "imageInstallPath"?     (the three for a template copy)
//  "snapshotInstallPath"?                                       (a copy of a snapshot there)
//  "srcPrimaryStorageUuid"?, "srcInstallPath"?                  (a copy of another storage's
//                                                                volume: a migration)
//  "hostUuid"?,                                                 (LocalStorage: whose disk;
//                                                                the roomiest Connected one
//                                                                when not given)
//  "shareable"?}                                                (true: several VMs, on any
//                                                                host using the storage, will
//                                                                open the file at once)
//   -> {"installPath", "size", "actualSize", "hostUuid"? (LocalStorage)}
// Reserves `size` of the storage's availableCapacity, then has the storage create the file;
// a failed create gives the capacity back. A shareable volume on storage whose files live on one
// host's disk is kNotSupported.
inline constexpr std::string_view kCreateVolumeMessage = "primaryStorage.CreateVolume";
// {"primaryStorageUuid", "resourceUuid", "installPath", "size"} -> {}
// Deletes the file and gives `size` (what CreateVolume/ResizeVolume reserved) back. A file
// already gone is no error; kNotFound when the storage itself is gone (it took the file along).
inline constexpr std::string_view kDeleteVolumeMessage = "primaryStorage.DeleteVolume";
// {"primaryStorageUuid", "resourceUuid", "installPath", "size", "newSize"}
//   -> {"installPath", "size", "actualSize"}. Grows the file from `size` to `newSize` (> size),
//   reserving the difference
// first (given back if the storage fails). Needs the storage Enabled and Connected.
inline constexpr std::string_view kResizeVolumeMessage = "primaryStorage.ResizeVolume";
// {"primaryStorageUuid", "resourceUuid", "installPath", "size"?} -> {"size", "actualSize"}: the
// file's sizes now. With `size` (what the storage reserved for it), a file that changed outside
// Strato moves the reservation with it, even past what is available.
inline constexpr std::string_view kVolumeSizeMessage = "primaryStorage.VolumeSize";
// {"primaryStorageUuid", "resourceUuid", "installPath" (the volume's), "snapshotUuid", "size"}
//   -> {"installPath", "size", "actualSize"}: the volume's content now, kept as a snapshot file.
// Reserves `size` first (given back if the storage fails); kDeleteVolumeMessage deletes it.
inline constexpr std::string_view kCreateSnapshotMessage = "primaryStorage.CreateSnapshot";
// {"primaryStorageUuid", "resourceUuid", "installPath", "snapshotInstallPath", "size"?}
//   -> {"installPath", "size", "actualSize"}: the volume's content becomes the snapshot's again.
// `size` is what the volume holds now; a snapshot taken before a resize is smaller, and the
// difference goes back to the storage.
inline constexpr std::string_view kRevertVolumeMessage = "primaryStorage.RevertVolume";
// {"primaryStorageUuid", "destHostUuid", "resources": [{"resourceUuid", "installPath"}, ...]}
//   -> {"hostUuid", "size"}
// LocalStorage only: the files (a volume and its snapshots, all on one host) move to another
// host's disk at the same paths. The destination's disk is charged first; the source's is given
// back once the copies are whole and the originals gone. Both hosts must be Connected hosts of
// attached clusters; a destination without the room is kConflict, and nothing moves.
inline constexpr std::string_view kMoveVolumeToHostMessage = "primaryStorage.MoveVolumeToHost";
// {"primaryStorageUuid", "resourceUuid", "installPath"}
//   -> {"hostUuid", "ssh": {"host", "port", "user", "password", "hostKey"}, "path"?, "temporary"?}
// A Connected host that reads the file (for LocalStorage, the one whose disk holds it), and how
// to reach it by SSH: for copies off the storage, such as templates uploaded to a backup storage.
// With "path", read that file instead: a copy of installPath on the host's disk (a file on an NFS
// share, which SSH cannot reach); with "temporary", delete it once read.
// kNotSupported when no host reads the storage's files (Simulator, or no Connected KVM host).
inline constexpr std::string_view kFileSourceMessage = "primaryStorage.FileSource";

}  // namespace strato
