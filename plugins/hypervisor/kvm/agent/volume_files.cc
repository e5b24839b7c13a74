#include "volume_files.h"

#include "host_command.h"
#include "host_files.h"

namespace strato::kvm {

Result<Json> VolumeFiles::diskUsage(const std::string& path) {
  if (auto st = files::check(path); !st) return st.error();
  return files::usage(path);
}

Result<Json> VolumeFiles::info(const std::string& path) {
  if (auto st = files::check(path); !st) return st.error();
  auto existing = files::stat(path);
  if (!existing) return existing.error();
  if (!*existing) return makeError(ErrorCode::kNotFound, "no volume file " + path);
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
  auto made = make(tmp);
  if (made) made = files::rename(tmp, path);
  if (!made) {
    (void)files::remove(tmp);
    return made.error();
  }
  if (!known) return info(path);
  // What qemu-img info calls actual-size: the bytes the file holds on disk.
  auto written = files::stat(path);
  if (!written || !*written) return info(path);
  (*known)["actualSize"] = (*written)->allocated;
  return *known;
}

Result<Json> VolumeFiles::create(const std::string& path, std::int64_t size,
                                 const std::string& format, const std::string& copyFrom) {
  if (auto st = files::check(path); !st) return st.error();
  if (!copyFrom.empty()) {
    if (auto st = files::check(copyFrom); !st) return st.error();
  }
  if (format != "qcow2" && format != "raw") {
    return makeError(ErrorCode::kInvalidArgument, "volume format must be qcow2 or raw", format);
  }
  auto there = files::stat(path);
  if (!there) return there.error();
  if (*there) {
    auto existing = info(path);
    if (existing && existing->value("size", std::int64_t{0}) >= size) return existing;
    return makeError(ErrorCode::kConflict, "a different file is already at " + path);
  }
  if (auto dir = files::makeDirs(files::parentOf(path)); !dir) return dir.error();
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
  if (auto st = files::check(copyFrom); !st) return st.error();
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
  if (auto st = files::check(path); !st) return st;
  return files::remove(path);
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
