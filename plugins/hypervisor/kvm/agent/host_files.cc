#include "host_files.h"

#include <sys/stat.h>
#include <sys/statvfs.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <vector>

namespace strato::kvm::files {
namespace {

namespace fs = std::filesystem;

// Each call to an NFS server, not each command: a copy of many gigabytes makes many calls.
constexpr std::chrono::seconds kNfsCallTimeout{60};

Result<std::unique_ptr<NfsShare>> shareOf(const std::string& path) {
  auto url = parseNfsUrl(path);
  if (!url) return url.error();
  return NfsShare::open(*url, kNfsCallTimeout);
}

// The server's path of a URL that check() accepted.
std::string serverPath(const std::string& url) { return parseNfsUrl(url)->path; }

// `work(share, path on the server)` on a connection to the share of `url`.
template <class Work>
auto onShare(const std::string& url, Work work)
    -> decltype(work(std::declval<NfsShare&>(), std::string())) {
  auto share = shareOf(url);
  if (!share) return share.error();
  return work(**share, serverPath(url));
}

// One end of a copy: a file of this host or of a share.
class Stream {
 public:
  static Result<Stream> open(const std::string& path, bool write) {
    Stream s;
    if (!isNfs(path)) {
      s.file_.reset(std::fopen(path.c_str(), write ? "wb" : "rb"));
      if (!s.file_) {
        return makeError(errno == ENOENT ? ErrorCode::kNotFound : ErrorCode::kInternal,
                         std::string("cannot ") + (write ? "write " : "read ") + path,
                         strerror(errno));
      }
      return s;
    }
    auto share = shareOf(path);
    if (!share) return share.error();
    auto file = (*share)->openFile(serverPath(path), write);
    if (!file) return file.error();
    s.share_ = std::move(*share);
    s.nfsFile_ = std::move(*file);
    return s;
  }

  Result<std::size_t> read(char* buf, std::size_t size) {
    if (nfsFile_) return nfsFile_->read(buf, size);
    std::size_t n = std::fread(buf, 1, size, file_.get());
    if (n == 0 && std::ferror(file_.get())) {
      return makeError(ErrorCode::kInternal, "cannot read a file to copy", strerror(errno));
    }
    return n;
  }
  Status write(const char* buf, std::size_t size) {
    if (nfsFile_) return nfsFile_->write(buf, size);
    if (std::fwrite(buf, 1, size, file_.get()) != size) {
      return makeError(ErrorCode::kInternal, "cannot write a copy", strerror(errno));
    }
    return {};
  }
  // Local writes may fail only when flushed.
  Status close() {
    nfsFile_.reset();
    if (file_ && std::fclose(file_.release()) != 0) {
      return makeError(ErrorCode::kInternal, "cannot write a copy", strerror(errno));
    }
    return {};
  }

 private:
  struct Closer {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };
  std::unique_ptr<std::FILE, Closer> file_;
  std::unique_ptr<NfsShare> share_;  // declared before the file that needs it, so it dies after
  std::unique_ptr<NfsFile> nfsFile_;
};

Status copyBytes(const std::string& from, const std::string& to) {
  auto in = Stream::open(from, false);
  if (!in) return in.error();
  auto out = Stream::open(to, true);
  if (!out) return out.error();
  std::vector<char> buf(1 << 20);
  for (;;) {
    auto n = in->read(buf.data(), buf.size());
    if (!n) return n.error();
    if (*n == 0) break;
    if (auto written = out->write(buf.data(), *n); !written) return written;
  }
  return out->close();
}

}  // namespace

bool isNfs(const std::string& path) { return path.rfind("nfs://", 0) == 0; }

Status check(const std::string& path) {
  std::string local = path;
  if (isNfs(path)) {
    auto url = parseNfsUrl(path);
    if (!url) return url.error();
    local = url->path;
  }
  fs::path p(local);
  bool dotdot = false;
  for (const auto& part : p) dotdot = dotdot || part == "..";
  if (local.empty() || !p.is_absolute() || dotdot || local == "/") {
    return makeError(ErrorCode::kInvalidArgument,
                     "a host path must be absolute, not /, and without '..'", path);
  }
  return {};
}

std::string parentOf(const std::string& path) { return path.substr(0, path.rfind('/')); }

Result<std::optional<FileSize>> stat(const std::string& path) {
  if (isNfs(path))
    return onShare(path, [](NfsShare& s, const std::string& p) { return s.stat(p); });
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return std::optional<FileSize>();
    return makeError(ErrorCode::kInternal, "cannot read the size of " + path, strerror(errno));
  }
  return std::optional<FileSize>(FileSize{static_cast<std::int64_t>(st.st_size),
                                          static_cast<std::int64_t>(st.st_blocks) * 512});
}

Status makeDirs(const std::string& dir) {
  if (isNfs(dir))
    return onShare(dir, [](NfsShare& s, const std::string& p) { return s.makeDirs(p); });
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return makeError(ErrorCode::kInternal, "cannot create " + dir, ec.message());
  return {};
}

Status rename(const std::string& from, const std::string& to) {
  if (isNfs(from) != isNfs(to)) {
    return makeError(ErrorCode::kInvalidArgument, "cannot rename across file systems", from);
  }
  if (isNfs(from)) {
    return onShare(from,
                   [&](NfsShare& s, const std::string& p) { return s.rename(p, serverPath(to)); });
  }
  std::error_code ec;
  fs::rename(from, to, ec);
  if (ec) return makeError(ErrorCode::kInternal, "cannot put the new file at " + to, ec.message());
  return {};
}

Status remove(const std::string& path) {
  if (isNfs(path))
    return onShare(path, [](NfsShare& s, const std::string& p) { return s.remove(p); });
  std::error_code ec;
  fs::remove(path, ec);
  if (ec) return makeError(ErrorCode::kInternal, "cannot delete " + path, ec.message());
  return {};
}

Result<Json> usage(const std::string& dir) {
  if (auto made = makeDirs(dir); !made) return made.error();
  if (isNfs(dir)) {
    return onShare(dir, [](NfsShare& s, const std::string&) -> Result<Json> {
      auto used = s.usage();
      if (!used) return used.error();
      return Json{{"total", used->first}, {"available", used->second}};
    });
  }
  struct statvfs s {};
  if (statvfs(dir.c_str(), &s) != 0) {
    return makeError(ErrorCode::kInternal, "cannot read the size of " + dir, strerror(errno));
  }
  auto block = static_cast<std::int64_t>(s.f_frsize);
  return Json{{"total", block * static_cast<std::int64_t>(s.f_blocks)},
              {"available", block * static_cast<std::int64_t>(s.f_bavail)}};
}

Status copy(const std::string& from, const std::string& to) {
  if (auto st = check(from); !st) return st;
  if (auto st = check(to); !st) return st;
  if (auto made = makeDirs(parentOf(to)); !made) return made;
  std::string tmp = to + ".copying";
  auto copied = copyBytes(from, tmp);
  if (copied) copied = rename(tmp, to);
  if (!copied) (void)remove(tmp);
  return copied;
}

Result<std::optional<std::string>> readSmall(const std::string& path) {
  if (auto st = check(path); !st) return st.error();
  auto in = Stream::open(path, false);
  if (!in && in.error().code == ErrorCode::kNotFound) return std::optional<std::string>();
  if (!in) return in.error();
  std::string content(64 * 1024, '\0');
  std::size_t size = 0;
  for (;;) {
    auto n = in->read(content.data() + size, content.size() - size);
    if (!n) return n.error();
    if (*n == 0 || (size += *n) == content.size()) break;
  }
  content.resize(size);
  return std::optional<std::string>(std::move(content));
}

Status writeSmall(const std::string& path, const std::string& content) {
  if (auto st = check(path); !st) return st;
  if (auto made = makeDirs(parentOf(path)); !made) return made;
  std::string tmp = path + ".writing";
  auto out = Stream::open(tmp, true);
  if (!out) return out.error();
  Status written = out->write(content.data(), content.size());
  if (written) written = out->close();
  if (written) written = rename(tmp, path);
  if (!written) (void)remove(tmp);
  return written;
}

}  // namespace strato::kvm::files
