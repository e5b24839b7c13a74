// The files that volume commands name: a path of this host's file system, or an
// nfs://server/path URL on an NFS share the agent reaches from userspace (nfs_share.h), so that
// NFS primary storage needs nothing mounted. Blocking.
#pragma once

#include <optional>
#include <string>

#include <strato/json.h>
#include <strato/result.h>

#include "nfs_share.h"

namespace strato::kvm::files {

bool isNfs(const std::string& path);

// A path must be absolute, not "/", and without "..", and a URL's path too: the management node
// names them, and an agent never writes outside a storage's directory by accident.
Status check(const std::string& path);
// The directory holding `path`, in the same form.
std::string parentOf(const std::string& path);

// Nothing when there is no such file.
Result<std::optional<FileSize>> stat(const std::string& path);
Status makeDirs(const std::string& dir);
// Within one file system (a file written beside another and renamed over it).
Status rename(const std::string& from, const std::string& to);
// A missing file is no error.
Status remove(const std::string& path);
// {"total", "available"} bytes of the file system holding `dir`, which is created.
Result<Json> usage(const std::string& dir);
// `to` becomes a byte-for-byte copy of `from`, whole or not at all (written beside and renamed);
// either may be on an NFS share.
Status copy(const std::string& from, const std::string& to);
// A small file's whole content (at most 64 KiB), or nothing when there is no such file.
Result<std::optional<std::string>> readSmall(const std::string& path);
// `content` becomes the file's, whole (written beside and renamed); its directory is created.
Status writeSmall(const std::string& path, const std::string& content);

}  // namespace strato::kvm::files
