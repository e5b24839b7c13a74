// Volume files with qemu-img: what local, NFS and shared-mount-point primary storage ask of a KVM
// host. A file is a path on the host's disks or an nfs:// URL (host_files.h).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <strato/json.h>
#include <strato/result.h>

namespace strato::kvm {

class VolumeFiles {
 public:
  explicit VolumeFiles(std::chrono::milliseconds timeout) : timeout_(timeout) {}

  // {"total", "available"} of the file system holding `path` (the directory is created).
  Result<Json> diskUsage(const std::string& path);
  // A new file of `size` bytes (virtual); with `copyFrom`, a full copy of that file first. An
  // existing file is kept when its size already matches (a retried create).
  Result<Json> create(const std::string& path, std::int64_t size, const std::string& format,
                      const std::string& copyFrom);
  // The file at `path` becomes a copy of `copyFrom`, in its own format, whole or not at all.
  Result<Json> replace(const std::string& path, const std::string& copyFrom);
  Status remove(const std::string& path);
  Result<Json> resize(const std::string& path, std::int64_t size);
  // {"size" (virtual), "actualSize" (allocated)}
  Result<Json> info(const std::string& path);

 private:
  // `make` writes the file at a temporary path beside `path` (path + suffix); only a whole file
  // is renamed to `path`, and a failed one is removed. -> info(path), or `known` (what a blank
  // create made: its size and format) with the file's actualSize, which saves a qemu-img run.
  Result<Json> writeWhole(const std::string& path, const std::string& suffix,
                          const std::function<Status(const std::string&)>& make,
                          std::optional<Json> known = std::nullopt);

  std::chrono::milliseconds timeout_;
};

}  // namespace strato::kvm
