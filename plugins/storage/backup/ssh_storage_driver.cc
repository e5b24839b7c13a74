#include "ssh_storage_driver.h"

#include <sstream>

#include "ssh/ssh_client.h"

namespace strato::backup {
namespace {

Error invalid(std::string message, std::string details = {}) {
  return makeError(ErrorCode::kInvalidArgument, std::move(message), std::move(details));
}

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

}  // namespace

Status validateDirectory(const std::string& url) {
  const char* expected = "an absolute directory such as /data/imagestore";
  if (url.empty() || url[0] != '/' || url == "/")
    return invalid("url must be " + std::string(expected), url);
  if (url.find("..") != std::string::npos) return invalid("url may not contain '..'", url);
  for (char c : url) {
    if (static_cast<unsigned char>(c) < 0x21 || c == 0x7f) {
      return invalid("url may not contain blanks or control characters", url);
    }
  }
  return {};
}

Status SshStorageDriver::validate(const BackupStorageSpec& spec) const {
  if (auto dir = validateDirectory(spec.url); !dir) return dir;
  auto t = targetOf(spec, timeout_);
  if (t.host.empty()) return invalid("hostname may not be empty");
  if (t.host.find_first_of(" \t/@") != std::string::npos)
    return invalid("hostname must be a host name or IP address", t.host);
  if (t.user.empty()) return invalid("username may not be empty");
  if (t.password.empty()) return invalid("password may not be empty");
  if (t.port < 1 || t.port > 65535) {
    return invalid("sshPort must be between 1 and 65535", std::to_string(t.port));
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
