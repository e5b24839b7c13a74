#include "guest_metadata.h"

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <utility>
#include <vector>

namespace strato::kvm {
namespace {

namespace fs = std::filesystem;

int base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

std::optional<std::string> decodeBase64(std::string_view text) {
  std::string digits;
  for (char c : text) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') digits += c;
  }
  if (digits.size() % 4 != 0) return std::nullopt;
  std::size_t padding = 0;
  while (padding < digits.size() && digits[digits.size() - 1 - padding] == '=') ++padding;
  if (padding > 2) return std::nullopt;
  digits.resize(digits.size() - padding);
  std::string out;
  std::uint32_t bits = 0;
  int count = 0;
  for (char c : digits) {
    int v = base64Value(c);
    if (v < 0) return std::nullopt;
    bits = (bits << 6) | static_cast<std::uint32_t>(v);
    if (++count == 4) {
      out += static_cast<char>((bits >> 16) & 0xff);
      out += static_cast<char>((bits >> 8) & 0xff);
      out += static_cast<char>(bits & 0xff);
      bits = 0;
      count = 0;
    }
  }
  if (count == 2) out += static_cast<char>((bits >> 4) & 0xff);
  if (count == 3) {
    out += static_cast<char>((bits >> 10) & 0xff);
    out += static_cast<char>((bits >> 2) & 0xff);
  }
  return out;
}

Status writeGuestMetadata(const fs::path& root, const std::string& ip, const GuestMetadata& m) {
  std::string hostname = m.hostname;
  if (hostname.empty()) {
    hostname = ip;
    std::replace(hostname.begin(), hostname.end(), '.', '-');
  }
  std::vector<std::pair<fs::path, std::string>> files{{"meta-data/instance-id", m.instanceId},
                                                      {"meta-data/local-hostname", hostname},
                                                      {"meta-data/hostname", hostname},
                                                      {"meta-data/local-ipv4", ip}};
  if (!m.sshKey.empty()) files.push_back({"meta-data/public-keys/0/openssh-key", m.sshKey + "\n"});
  if (!m.userdata.empty()) files.push_back({"user-data", m.userdata});
  // Built aside and renamed in: the server never shows half a tree, nor an old key beside a new
  // instance id.
  fs::path part = root / ("." + ip + ".part");
  std::error_code ec;
  fs::remove_all(part, ec);
  for (const auto& [name, text] : files) {
    fs::create_directories((part / name).parent_path(), ec);
    std::ofstream out(part / name, std::ios::binary | std::ios::trunc);
    out << text;
    if (ec || !out.flush()) {
      return makeError(ErrorCode::kInternal, "cannot write the metadata of " + ip,
                       (part / name).string());
    }
  }
  fs::remove_all(root / ip, ec);
  fs::rename(part, root / ip, ec);
  if (ec)
    return makeError(ErrorCode::kInternal, "cannot write the metadata of " + ip, ec.message());
  return {};
}

void removeGuestMetadata(const fs::path& root, const std::string& ip) {
  std::error_code ec;
  fs::remove_all(root / ip, ec);
}

}  // namespace strato::kvm
