#include "volume_files.h"

#include <sys/stat.h>
#include <sys/statvfs.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "host_command.h"

namespace strato::kvm {

namespace fs = std::filesystem;

Status checkPath(const std::string& path) {
  fs::path p(path);
  bool dotdot = false;
  for (const auto& part : p) dotdot = dotdot || part == "..";
  if (path.empty() || !p.is_absolute() || dotdot || path == "/") {
    return makeError(ErrorCode::kInvalidArgument,
                     "a host path must be absolute, not /, and without '..'", path);
  }
  return {};
}

Result<Json> VolumeFiles::diskUsage(const std::string& path) {
  if (auto st = checkPath(path); !st) return st.error();
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) return makeError(ErrorCode::kInternal, "cannot create " + path, ec.message());
  struct statvfs s {};
  if (statvfs(path.c_str(), &s) != 0) {
    return makeError(ErrorCode::kInternal, "cannot read the size of " + path, strerror(errno));
  }
  auto block = static_cast<std::int64_t>(s.f_frsize);
  return Json{{"total", block * static_cast<std::int64_t>(s.f_blocks)},
              {"available", block * static_cast<std::int64_t>(s.f_bavail)}};
}

Result<Json> VolumeFiles::info(const std::string& path) {
  if (auto st = checkPath(path); !st) return st.error();
  if (!fs::exists(path)) return makeError(ErrorCode::kNotFound, "no volume file " + path);
  auto out = runCommand({"qemu-img", "info", "--output=json", "-U", path}, timeout_);
  if (!out) return out.error();
  Json j = Json::parse(out->out, nullptr, false);
  if (!j.is_object()) return makeError(ErrorCode::kInternal, "qemu-img info said garbage", out->out);
  return Json{{"size", j.value("virtual-size", std::int64_t{0})},
              {"actualSize", j.value("actual-size", std::int64_t{0})},
              {"format", j.value("format", std::string())}};
}

Result<Json> VolumeFiles::writeWhole(const std::string& path, const std::string& suffix,
                                     const std::function<Status(const std::string&)>& make,
                                     std::optional<Json> known) {
  // Written beside and renamed, so a write cut short never leaves a file that looks whole.
  std::string tmp = path + suffix;
  std::error_code ec;
  if (auto made = make(tmp); !made) {
    fs::remove(tmp, ec);
    return made.error();
  }
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    return makeError(ErrorCode::kInternal, "cannot put the new file at " + path, ec.message());
  }
  if (!known) return info(path);
  // What qemu-img info calls actual-size: the blocks the file holds on disk.
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return info(path);
  (*known)["actualSize"] = static_cast<std::int64_t>(st.st_blocks) * 512;
  return *known;
}

Result<Json> VolumeFiles::create(const std::string& path, std::int64_t size,
                                 const std::string& format, const std::string& copyFrom) {
  if (auto st = checkPath(path); !st) return st.error();
  if (!copyFrom.empty()) {
    if (auto st = checkPath(copyFrom); !st) return st.error();
  }
  if (format != "qcow2" && format != "raw") {
    return makeError(ErrorCode::kInvalidArgument, "volume format must be qcow2 or raw", format);
  }
  if (fs::exists(path)) {
    auto existing = info(path);
    if (existing && existing->value("size", std::int64_t{0}) >= size) return existing;
    return makeError(ErrorCode::kConflict, "a different file is already at " + path);
  }
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  return writeWhole(
      path, ".creating",
      [&](const std::string& tmp) -> Status {
        Result<CommandOutput> made =
            copyFrom.empty()
                ? runCommand({"qemu-img", "create", "-q", "-f", format, tmp, std::to_string(size)},
                             timeout_)
                : runCommand({"qemu-img", "convert", "-U", "-O", format, copyFrom, tmp}, timeout_);
        if (made && !copyFrom.empty()) {
          auto copied = info(tmp);
          if (copied && copied->value("size", std::int64_t{0}) < size) {
            made = runCommand({"qemu-img", "resize", "-q", "-f", format, tmp, std::to_string(size)},
                              timeout_);
          }
        }
        return made ? Status{} : Status{made.error()};
      },
      copyFrom.empty() ? std::optional<Json>(Json{{"size", size}, {"format", format}})
                       : std::nullopt);
}

Result<Json> VolumeFiles::replace(const std::string& path, const std::string& copyFrom) {
  if (auto st = checkPath(copyFrom); !st) return st.error();
  auto now = info(path);
  if (!now) return now.error();
  return writeWhole(path, ".replacing", [&](const std::string& tmp) -> Status {
    auto copied = runCommand(
        {"qemu-img", "convert", "-U", "-O", now->value("format", "qcow2"), copyFrom, tmp},
        timeout_);
    return copied ? Status{} : Status{copied.error()};
  });
}

Status VolumeFiles::remove(const std::string& path) {
  if (auto st = checkPath(path); !st) return st;
  std::error_code ec;
  fs::remove(path, ec);
  if (ec) return makeError(ErrorCode::kInternal, "cannot delete " + path, ec.message());
  return {};
}

Result<Json> VolumeFiles::resize(const std::string& path, std::int64_t size) {
  auto now = info(path);
  if (!now) return now.error();
  if (now->value("size", std::int64_t{0}) >= size) return now;  // a retried resize
  auto out = runCommand({"qemu-img", "resize", "-q", path, std::to_string(size)}, timeout_);
  if (!out) return out.error();
  return info(path);
}

}  // namespace strato::kvm
