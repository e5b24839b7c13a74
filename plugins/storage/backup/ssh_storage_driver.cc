#include "ssh_storage_driver.h"

#include <strato/handler_util.h>

#include <set>
#include <sstream>

#include "ssh/ssh_client.h"

namespace strato::backup {
namespace {

std::string text(const Json& extra, const char* key) {
  return extra.contains(key) && extra[key].is_string() ? extra[key].get<std::string>() : "";
}

ssh::Target targetOf(const BackupStorageSpec& spec, std::chrono::milliseconds timeout) {
  ssh::Target t;
  t.host = text(spec.extra, "hostname");
  t.port = spec.extra.value("sshPort", 22);
  t.user = text(spec.extra, "username");
  t.password = text(spec.extra, "password");
  t.knownHostKey = text(spec.extra, "hostKey");
  t.timeout = timeout;
  return t;
}

// The last line of `df -P -B1 <dir>`: "<fs> <size> <used> <available> <use%> <mount>".
Result<BackupStorageCapacity> parseDf(const std::string& out) {
  std::istringstream lines(out);
  std::string line, last;
  while (std::getline(lines, line)) {
    if (!line.empty()) last = line;
  }
  std::istringstream fields(last);
  std::string fs;
  std::int64_t size = -1, used = -1, available = -1;
  if (!(fields >> fs >> size >> used >> available) || size < 0 || available < 0) {
    return makeError(ErrorCode::kInternal, "cannot read the storage's size from df", out);
  }
  return BackupStorageCapacity{size, std::min(available, size)};
}

std::string imageDir(const BackupStorageSpec& spec) { return spec.url + "/images"; }

// A shell line reporting the df line of `dir` as df=...
std::string dfReport(const std::string& dir) {
  return "printf 'df=%s\\n' \"$(df -P -B1 -- " + ssh::shellQuote(dir) + " | tail -n 1)\"\n";
}

// Shell lines that report a file's sizes and checksum and the storage's df line as key=value.
// qemu-img, when the machine has it, tells a qcow2's virtual size.
std::string fileReport(const std::string& file, const std::string& dir) {
  std::string f = ssh::shellQuote(file);
  return "test -f " + f + " || { echo " + ssh::shellQuote("no image file " + file) +
         " >&2; exit 1; }\n" + "printf 'actual=%s\\n' \"$(stat -c %s -- " + f + ")\"\n" +
         "printf 'md5=%s\\n' \"$(md5sum -- " + f + " | cut -d' ' -f1)\"\n" +
         "if command -v qemu-img >/dev/null 2>&1; then printf 'qemu=%s\\n' \"$(qemu-img info "
         "--output=json " +
         f + " 2>/dev/null | tr -d '\\n')\"; fi\n" + dfReport(dir);
}

std::int64_t number(const std::map<std::string, std::string>& report, const std::string& key) {
  auto it = report.find(key);
  if (it == report.end()) return 0;
  try {
    return std::stoll(it->second);
  } catch (const std::exception&) {
    return 0;
  }
}

std::map<std::string, std::string> parseReport(const std::string& out) {
  std::map<std::string, std::string> report;
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    auto eq = line.find('=');
    if (eq != std::string::npos) report[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return report;
}

Result<FileChange> fileChange(const std::map<std::string, std::string>& report,
                              const std::string& path) {
  FileChange change;
  change.file.installPath = path;
  change.file.actualSize = number(report, "actual");
  change.file.size = change.file.actualSize;
  if (auto md5 = report.find("md5"); md5 != report.end()) change.file.md5Sum = md5->second;
  if (auto qemu = report.find("qemu"); qemu != report.end()) {
    Json info = Json::parse(qemu->second, nullptr, false);
    if (info.is_object() && info.contains("virtual-size") && info["virtual-size"].is_number())
      change.file.size = info["virtual-size"].get<std::int64_t>();
  }
  if (auto df = report.find("df"); df != report.end()) {
    auto capacity = parseDf(df->second);
    if (!capacity) return capacity.error();
    change.capacity = *capacity;
  }
  return change;
}

}  // namespace

Status validateDirectory(const std::string& url) {
  const char* expected = "an absolute directory such as /data/imagestore";
  if (url.empty() || url[0] != '/' || url == "/")
    return invalidArgument("url must be " + std::string(expected), url);
  if (url.find("..") != std::string::npos) return invalidArgument("url may not contain '..'", url);
  for (char c : url) {
    if (static_cast<unsigned char>(c) < 0x21 || c == 0x7f) {
      return invalidArgument("url may not contain blanks or control characters", url);
    }
  }
  return {};
}

Status validateImageUrl(const std::string& url) {
  bool web = url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
  bool file = url.rfind("file:///", 0) == 0;
  if (!web && !file) {
    return invalidArgument("url must start with http://, https:// or file:///", url);
  }
  if (file && url.find("..") != std::string::npos)
    return invalidArgument("url may not contain '..'", url);
  for (char c : url) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      return invalidArgument("url may not contain control characters", url);
  }
  return {};
}

Status SshStorageDriver::validate(const BackupStorageSpec& spec) const {
  if (auto dir = validateDirectory(spec.url); !dir) return dir;
  auto t = targetOf(spec, timeout_);
  if (t.host.empty()) return invalidArgument("hostname may not be empty");
  if (t.host.find_first_of(" \t/@") != std::string::npos)
    return invalidArgument("hostname must be a host name or IP address", t.host);
  if (t.user.empty()) return invalidArgument("username may not be empty");
  if (t.password.empty()) return invalidArgument("password may not be empty");
  if (t.port < 1 || t.port > 65535) {
    return invalidArgument("sshPort must be between 1 and 65535", std::to_string(t.port));
  }
  return {};
}

Result<Connected> SshStorageDriver::connect(const BackupStorageSpec& spec) {
  std::string dir = ssh::shellQuote(spec.url);
  std::string hostKey;
  auto out = ssh::runChecked(targetOf(spec, timeout_),
                             "mkdir -p -- " + dir + " && { test -w " + dir + " || { echo " +
                                 ssh::shellQuote(spec.url + " is not writable") +
                                 " >&2; exit 1; }; } && df -P -B1 -- " + dir,
                             &hostKey);
  if (!out) return out.error();
  auto capacity = parseDf(*out);
  if (!capacity) return capacity.error();
  return Connected{*capacity, Json{{"hostKey", hostKey}}};
}

}  // namespace strato::backup

namespace strato::backup {

Result<std::map<std::string, std::string>> SshStorageDriver::runScript(
    const BackupStorageSpec& spec, const std::string& script, std::chrono::milliseconds timeout) {
  auto target = targetOf(spec, timeout);
  auto out = ssh::runChecked(target, "set -e\n" + script);
  if (!out) return out.error();
  return parseReport(*out);
}

Result<FileChange> SshStorageDriver::download(const BackupStorageSpec& spec,
                                              const std::string& imageUuid, const std::string& url,
                                              const std::string& format) {
  if (auto valid = validateImageUrl(url); !valid) return valid.error();
  std::string path = imageDir(spec) + "/" + imageUuid + "." + format;
  std::string tmp = ssh::shellQuote(path + ".download");
  std::string fetch = url.rfind("file://", 0) == 0
                          ? "cp -- " + ssh::shellQuote(url.substr(7)) + " " + tmp
                          : "curl -fsSL --retry 2 -o " + tmp + " -- " + ssh::shellQuote(url);
  // Downloads may take long: a day at most, rather than the command timeout.
  auto report = runScript(spec,
                          "mkdir -p -- " + ssh::shellQuote(imageDir(spec)) + "\n" + "if ! " +
                              fetch + "; then rm -f -- " + tmp + "; exit 1; fi\n" + "mv -f -- " +
                              tmp + " " + ssh::shellQuote(path) + "\n" + fileReport(path, spec.url),
                          std::chrono::hours(24));
  if (!report) return report.error();
  return fileChange(*report, path);
}

Result<ImageFile> SshStorageDriver::stat(const BackupStorageSpec& spec,
                                         const std::string& installPath) {
  auto report = runScript(spec, fileReport(installPath, spec.url), timeout_);
  if (!report) return report.error();
  auto change = fileChange(*report, installPath);
  if (!change) return change.error();
  return change->file;
}

Result<FileChange> SshStorageDriver::remove(const BackupStorageSpec& spec,
                                            const std::string& installPath) {
  // Only files of the image area: an install path from the database is never trusted to name
  // anything else on the machine.
  if (installPath.rfind(imageDir(spec) + "/", 0) != 0 ||
      installPath.find("..") != std::string::npos) {
    return invalidArgument("refusing to delete a file outside " + imageDir(spec), installPath);
  }
  auto report = runScript(
      spec, "rm -f -- " + ssh::shellQuote(installPath) + "\n" + dfReport(spec.url), timeout_);
  if (!report) return report.error();
  return fileChange(*report, installPath);
}

Result<Reclaimed> SshStorageDriver::reclaim(const BackupStorageSpec& spec,
                                            const std::vector<std::string>& keep) {
  std::string dir = ssh::shellQuote(imageDir(spec));
  auto out =
      ssh::runChecked(targetOf(spec, timeout_), "mkdir -p -- " + dir + " && find " + dir +
                                                    " -maxdepth 1 -type f -printf '%s %p\\n'");
  if (!out) return out.error();
  std::set<std::string> kept(keep.begin(), keep.end());
  std::int64_t freed = 0;
  std::string doomed;
  std::istringstream lines(*out);
  std::string line;
  while (std::getline(lines, line)) {
    auto space = line.find(' ');
    if (space == std::string::npos) continue;
    std::string path = line.substr(space + 1);
    if (kept.count(path)) continue;
    freed += std::stoll(line.substr(0, space));
    doomed += " " + ssh::shellQuote(path);
  }
  if (doomed.empty()) return Reclaimed{0, std::nullopt};
  auto report = runScript(spec, "rm -f --" + doomed + "\n" + dfReport(spec.url), timeout_);
  if (!report) return report.error();
  auto change = fileChange(*report, "");
  if (!change) return change.error();
  return Reclaimed{freed, change->capacity};
}

Result<FileChange> SshStorageDriver::copyIn(const BackupStorageSpec& dst,
                                            const BackupStorageSpec& src,
                                            const std::string& srcPath,
                                            const std::string& imageUuid,
                                            const std::string& format) {
  if (src.type != std::string(kImageStoreType) && src.type != std::string(kSftpType)) {
    return makeError(ErrorCode::kNotSupported,
                     "a " + dst.type + " cannot copy images from a " + src.type);
  }
  // The two machines share no credentials: the bytes pass through this process, in chunks.
  std::string path = imageDir(dst) + "/" + imageUuid + "." + format;
  auto out = ssh::copyFile(targetOf(src, timeout_), srcPath, targetOf(dst, timeout_), path,
                           fileReport(path, dst.url));
  if (!out) return out.error();
  return fileChange(parseReport(*out), path);
}

Status SshStorageDriver::sendTo(const BackupStorageSpec& spec, const std::string& installPath,
                               const ssh::Target& to, const std::string& path) {
  // Through this process, as copyIn does: the host and the storage share no credentials.
  auto sent = ssh::copyFile(targetOf(spec, timeout_), installPath, to, path);
  return sent ? Status{} : Status{sent.error()};
}

Result<FileChange> SshStorageDriver::importVolume(const BackupStorageSpec& spec,
                                                  const std::string& imageUuid,
                                                  const std::string& format,
                                                  const PrimaryFile& file) {
  if (!file.host) {
    return makeError(ErrorCode::kNotSupported,
                     type() + " backup storage cannot take files of " + file.primaryStorageType +
                         " primary storage",
                     "no host reads that storage's files; storage " + spec.name);
  }
  // From the host that reads the volume's file, through this process, as copyIn does.
  std::string path = imageDir(spec) + "/" + imageUuid + "." + format;
  auto out = ssh::copyFile(*file.host, file.installPath, targetOf(spec, timeout_), path,
                           fileReport(path, spec.url));
  if (!out) return out.error();
  return fileChange(parseReport(*out), path);
}

Result<std::string> SshStorageDriver::exportUrl(const BackupStorageSpec& spec,
                                                const std::string& installPath) {
  auto t = targetOf(spec, timeout_);
  // The storage serves files over SSH only: SFTP with the storage's own credentials.
  return "sftp://" + t.user + "@" + t.host + ":" + std::to_string(t.port) + installPath;
}

}  // namespace strato::backup
