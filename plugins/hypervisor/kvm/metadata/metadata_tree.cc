#include "metadata_tree.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <set>
#include <vector>

namespace strato::metadata {
namespace {

namespace fs = std::filesystem;

// Letters, digits, '.', '_' and '-', and not "." or "..": a name, never a way elsewhere.
bool isPlainName(const std::string& s) {
  if (s.empty() || s == "." || s == "..") return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

std::optional<std::vector<std::string>> segmentsOf(const std::string& path) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= path.size()) {
    auto end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string s = path.substr(start, end - start);
    if (!s.empty()) {
      if (!isPlainName(s)) return std::nullopt;
      out.push_back(std::move(s));
    }
    start = end + 1;
  }
  return out;
}

std::string listing(const fs::path& dir) {
  std::set<std::string> names;  // sorted, as EC2 lists them
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    auto status = e.symlink_status(ec);
    std::string name = e.path().filename().string();
    if (ec || !isPlainName(name)) continue;
    if (fs::is_directory(status)) names.insert(name + "/");
    if (fs::is_regular_file(status)) names.insert(name);
  }
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : "\n") + n;
  return out;
}

}  // namespace

std::optional<std::string> answer(const fs::path& root, const std::string& clientIp,
                                  const std::string& path) {
  if (!isPlainName(clientIp)) return std::nullopt;
  auto segments = segmentsOf(path.substr(0, path.find('?')));
  if (!segments) return std::nullopt;
  fs::path guest = root / clientIp;
  std::error_code ec;
  if (!fs::is_directory(fs::symlink_status(guest, ec))) return std::nullopt;
  if (segments->empty()) return std::string("latest");
  // The first segment is the version, whichever it is.
  fs::path target = guest;
  for (std::size_t i = 1; i < segments->size(); ++i) {
    target /= (*segments)[i];
    auto status = fs::symlink_status(target, ec);
    if (ec || fs::is_symlink(status)) return std::nullopt;
  }
  auto status = fs::symlink_status(target, ec);
  if (ec) return std::nullopt;
  if (fs::is_directory(status)) return listing(target);
  if (!fs::is_regular_file(status)) return std::nullopt;
  std::ifstream in(target, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace strato::metadata
