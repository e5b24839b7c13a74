#include "nfs_share.h"

#include <fcntl.h>
#include <poll.h>

// libnfs.h first: the other two use what it defines.
#include <nfsc/libnfs.h>
// clang-format off
#include <nfsc/libnfs-raw.h>
#include <nfsc/libnfs-raw-mount.h>
// clang-format on

#include <cerrno>
#include <cstring>
#include <vector>

namespace strato::kvm {
namespace {

constexpr std::string_view kScheme = "nfs://";

// libnfs takes IPv6 addresses without their brackets.
std::string bare(const std::string& server) {
  if (server.size() > 2 && server.front() == '[') return server.substr(1, server.size() - 2);
  return server;
}

bool under(const std::string& path, const std::string& dir) {
  if (dir == "/") return true;
  return path == dir || (path.rfind(dir, 0) == 0 && path[dir.size()] == '/');
}

struct ExportsCall {
  bool done = false;
  int status = 0;
  std::string error;
  std::vector<std::string> exports;
};

void onExports(rpc_context*, int status, void* data, void* privateData) {
  auto* call = static_cast<ExportsCall*>(privateData);
  call->done = true;
  call->status = status;
  if (status != RPC_STATUS_SUCCESS) {
    if (status == RPC_STATUS_ERROR && data != nullptr) call->error = static_cast<const char*>(data);
    return;
  }
  for (exportnode* e = *static_cast<exports*>(data); e != nullptr; e = e->ex_next) {
    call->exports.emplace_back(e->ex_dir);
  }
}

// The server's exports. libnfs's synchronous mount_getexports waits forever for a server that
// accepts the connection and never answers, so this drives the asynchronous call to a deadline.
Result<std::vector<std::string>> exportsOf(const std::string& server,
                                           std::chrono::milliseconds timeout) {
  std::unique_ptr<rpc_context, void (*)(rpc_context*)> rpc(rpc_init_context(), rpc_destroy_context);
  if (!rpc) return makeError(ErrorCode::kInternal, "libnfs cannot make an RPC context");
  ExportsCall call;
  if (mount_getexports_async(rpc.get(), bare(server).c_str(), onExports, &call) != 0) {
    return makeError(ErrorCode::kUnavailable,
                     "cannot ask NFS server " + server + " for its exports",
                     rpc_get_error(rpc.get()));
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!call.done) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      return makeError(ErrorCode::kUnavailable,
                       "NFS server " + server + " did not list its exports in time",
                       std::to_string(timeout.count()) + " ms");
    }
    pollfd pfd{rpc_get_fd(rpc.get()), static_cast<short>(rpc_which_events(rpc.get())), 0};
    if (poll(&pfd, 1, static_cast<int>(std::min<std::int64_t>(left.count(), 100))) < 0 &&
        errno != EINTR) {
      return makeError(ErrorCode::kInternal, "poll failed", strerror(errno));
    }
    if (rpc_service(rpc.get(), pfd.revents) < 0) {
      return makeError(ErrorCode::kUnavailable, "NFS server " + server + " cannot be reached",
                       rpc_get_error(rpc.get()));
    }
  }
  if (call.status != RPC_STATUS_SUCCESS) {
    return makeError(ErrorCode::kUnavailable, "NFS server " + server + " did not list its exports",
                     call.error);
  }
  return call.exports;
}

}  // namespace

Result<NfsUrl> parseNfsUrl(const std::string& url) {
  auto bad = [&](const std::string& why) {
    return makeError(ErrorCode::kInvalidArgument, "an NFS file is nfs://server/path: " + why, url);
  };
  if (url.rfind(kScheme, 0) != 0) return bad("no nfs:// in front");
  std::string rest = url.substr(kScheme.size());
  std::size_t slash = rest.front() == '[' ? rest.find("]/") : rest.find('/');
  if (slash == std::string::npos || slash == 0) return bad("no server");
  if (rest.front() == '[') ++slash;
  return NfsUrl{rest.substr(0, slash), rest.substr(slash)};
}

Result<std::unique_ptr<NfsShare>> NfsShare::open(const NfsUrl& url,
                                                 std::chrono::milliseconds timeout) {
  auto exports = exportsOf(url.server, timeout);
  if (!exports) return exports.error();
  // The innermost export holding the path: exports may nest.
  std::string best;
  for (const auto& e : *exports) {
    if (under(url.path, e) && e.size() > best.size()) best = e;
  }
  if (best.empty()) {
    return makeError(ErrorCode::kNotFound,
                     "NFS server " + url.server + " exports nothing that holds " + url.path);
  }
  nfs_context* nfs = nfs_init_context();
  if (nfs == nullptr) return makeError(ErrorCode::kInternal, "libnfs cannot make a context");
  std::unique_ptr<NfsShare> share(new NfsShare(nfs, url.server, best));
  nfs_set_timeout(nfs, static_cast<int>(timeout.count()));
  if (nfs_mount(nfs, bare(url.server).c_str(), best.c_str()) != 0) {
    return makeError(ErrorCode::kUnavailable,
                     "cannot reach export " + best + " of NFS server " + url.server,
                     nfs_get_error(nfs));
  }
  return share;
}

NfsShare::~NfsShare() { nfs_destroy_context(nfs_); }

Result<std::string> NfsShare::inside(const std::string& path) const {
  if (!under(path, export_)) {
    return makeError(ErrorCode::kInvalidArgument, path + " is not under export " + export_);
  }
  std::string rest = export_ == "/" ? path : path.substr(export_.size());
  return rest.empty() ? std::string("/") : rest;
}

Error NfsShare::failure(const std::string& what, const std::string& path) const {
  return makeError(ErrorCode::kInternal,
                   "cannot " + what + " nfs://" + server_ + path + " on the NFS share",
                   nfs_get_error(nfs_));
}

Result<std::optional<FileSize>> NfsShare::stat(const std::string& path) {
  auto p = inside(path);
  if (!p) return p.error();
  nfs_stat_64 st{};
  int rc = nfs_stat64(nfs_, p->c_str(), &st);
  if (rc == -ENOENT) return std::optional<FileSize>();
  if (rc != 0) return failure("read the size of", path);
  return std::optional<FileSize>(
      FileSize{static_cast<std::int64_t>(st.nfs_size), static_cast<std::int64_t>(st.nfs_used)});
}

Status NfsShare::makeDirs(const std::string& path) {
  auto p = inside(path);
  if (!p) return p.error();
  for (std::size_t end = p->find('/', 1);; end = p->find('/', end + 1)) {
    std::string dir = p->substr(0, end);
    int rc = dir == "/" ? 0 : nfs_mkdir(nfs_, dir.c_str());
    if (rc != 0 && rc != -EEXIST) return failure("make directory", export_ + dir);
    if (end == std::string::npos) return {};
  }
}

Status NfsShare::rename(const std::string& from, const std::string& to) {
  auto f = inside(from);
  if (!f) return f.error();
  auto t = inside(to);
  if (!t) return t.error();
  if (nfs_rename(nfs_, f->c_str(), t->c_str()) != 0) return failure("rename", from);
  return {};
}

Status NfsShare::remove(const std::string& path) {
  auto p = inside(path);
  if (!p) return p.error();
  int rc = nfs_unlink(nfs_, p->c_str());
  if (rc != 0 && rc != -ENOENT) return failure("delete", path);
  return {};
}

Result<std::pair<std::int64_t, std::int64_t>> NfsShare::usage() {
  nfs_statvfs_64 s{};
  if (nfs_statvfs64(nfs_, "/", &s) != 0) return failure("read the size of", export_);
  auto block = static_cast<std::int64_t>(s.f_frsize != 0 ? s.f_frsize : s.f_bsize);
  return std::pair{block * static_cast<std::int64_t>(s.f_blocks),
                   block * static_cast<std::int64_t>(s.f_bavail)};
}

Result<std::unique_ptr<NfsFile>> NfsShare::openFile(const std::string& path, bool write) {
  auto p = inside(path);
  if (!p) return p.error();
  nfsfh* fh = nullptr;
  int rc = write ? nfs_create(nfs_, p->c_str(), O_WRONLY | O_TRUNC, 0600, &fh)
                 : nfs_open(nfs_, p->c_str(), O_RDONLY, &fh);
  if (rc == -ENOENT && !write) return makeError(ErrorCode::kNotFound, "no file " + path);
  if (rc != 0) return failure(write ? "write" : "read", path);
  return std::make_unique<NfsFile>(*this, fh, path);
}

NfsFile::~NfsFile() { nfs_close(share_.nfs_, fh_); }

Result<std::size_t> NfsFile::read(char* buf, std::size_t size) {
  int n = nfs_read(share_.nfs_, fh_, size, buf);
  if (n < 0) return share_.failure("read", path_);
  return static_cast<std::size_t>(n);
}

Status NfsFile::write(const char* buf, std::size_t size) {
  while (size > 0) {
    int n = nfs_write(share_.nfs_, fh_, size, buf);
    if (n <= 0) return share_.failure("write", path_);
    buf += n;
    size -= static_cast<std::size_t>(n);
  }
  return {};
}

}  // namespace strato::kvm
