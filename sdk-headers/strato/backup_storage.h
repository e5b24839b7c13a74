// Image files on backup storage, as the image plugin asks for them. The backup storage plugin
// keeps the storages and their drivers; the image plugin keeps which images exist. Each message
// is a bus request, sent without a resourceUuid (downloads to one storage run in parallel). Errors
// come back as the reply's error: kNotFound (no such storage), kConflict (the storage is Disabled
// or not Connected, or too full), or what the storage said.
#pragma once

#include <string_view>

namespace strato {

// {"backupStorageUuid", "imageUuid", "url", "format"}
//   -> {"installPath", "size", "actualSize", "md5Sum"}. Long: the storage fetches the url.
inline constexpr std::string_view kDownloadImageMessage = "backupStorage.DownloadImage";
// {"backupStorageUuid", "imageUuid", "format", "srcBackupStorageUuid", "srcInstallPath"}
//   -> {"installPath", "size", "actualSize", "md5Sum"}. Copies another storage's file in. Long.
inline constexpr std::string_view kCopyImageMessage = "backupStorage.CopyImage";
// {"backupStorageUuid", "imageUuid", "format", "primaryStorageUuid", "primaryStorageType",
//  "resourceUuid", "installPath", "size", "actualSize"}
//   -> {"installPath", "size", "actualSize", "md5Sum"}.
// A volume's or snapshot's (resourceUuid's) file on a primary storage comes in as the image's
// file (templates from volumes and snapshots), from a host that reads it
// (kFileSourceMessage of <strato/primary_storage.h>). kNotSupported when the storage cannot reach
// that primary storage.
inline constexpr std::string_view kImportVolumeMessage = "backupStorage.ImportVolume";
// {"backupStorageUuid", "installPath"} -> {"size", "actualSize", "md5Sum"}
inline constexpr std::string_view kStatImageMessage = "backupStorage.StatImage";
// {"backupStorageUuid", "installPath"} -> {}. A file already gone is no error.
inline constexpr std::string_view kDeleteImageMessage = "backupStorage.DeleteImage";
// {"backupStorageUuid", "installPath", "path",
//  "ssh": {"host", "port", "user", "password", "hostKey"?}} -> {}
// Writes the image file to `path` on the machine `ssh` reaches (a KVM host filling its image
// cache); the file appears whole or not at all. kNotSupported for storages without bytes
// (Simulator). Long.
inline constexpr std::string_view kSendImageMessage = "backupStorage.SendImage";
// {"backupStorageUuid", "installPath"} -> {"exportUrl"}
inline constexpr std::string_view kExportImageMessage = "backupStorage.ExportImage";
// {"backupStorageUuid", "keep": [installPath...]} -> {"freed": bytes}. Deletes every image file
// of the storage that `keep` does not name.
inline constexpr std::string_view kReclaimImagesMessage = "backupStorage.ReclaimImages";

}  // namespace strato
