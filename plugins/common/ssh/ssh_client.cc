#include "ssh_client.h"

#include <libssh/libssh.h>

#include <array>
#include <cstdlib>
#include <functional>
#include <istream>

namespace strato::ssh {
namespace {

using Clock = std::chrono::steady_clock;

Error failure(ErrorCode code, const std::string& what, ssh_session session) {
  return makeError(code, what, session ? ssh_get_error(session) : "");
}

std::string where(const Target& t) { return t.user + "@" + t.host + ":" + std::to_string(t.port); }

// "SHA256:<base64>" of the server's public key, or empty when it cannot be read.
std::string serverFingerprint(ssh_session session) {
  ssh_key key = nullptr;
  if (ssh_get_server_publickey(session, &key) != SSH_OK) return {};
  unsigned char* hash = nullptr;
  std::size_t length = 0;
  std::string out;
  if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &length) == 0) {
    char* text = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, length);
    if (text) out = text;
    ssh_string_free_char(text);
    ssh_clean_pubkey_hash(&hash);
  }
  ssh_key_free(key);
  return out;
}

}  // namespace

struct Connection::Impl {
  ssh_session session = nullptr;
  std::chrono::milliseconds timeout{0};
  ~Impl() {
    if (!session) return;
    ssh_disconnect(session);
    ssh_free(session);
  }
};

Connection::Connection(std::unique_ptr<Impl> impl, std::string hostKey)
    : impl_(std::move(impl)), hostKey_(std::move(hostKey)) {}

Connection::~Connection() = default;

Result<std::unique_ptr<Connection>> Connection::open(const Target& target) {
  auto impl = std::make_unique<Impl>();
  impl->timeout = target.timeout;
  impl->session = ssh_new();
  if (!impl->session) return makeError(ErrorCode::kInternal, "libssh could not make a session");
  ssh_session s = impl->session;
  unsigned int port = static_cast<unsigned int>(target.port);
  long seconds = std::max<long>(1, static_cast<long>(target.timeout.count() + 999) / 1000);
  // The management node's own ~/.ssh/config and agent must not change what the API asked for.
  bool no = false;
  if (ssh_options_set(s, SSH_OPTIONS_HOST, target.host.c_str()) != SSH_OK ||
      ssh_options_set(s, SSH_OPTIONS_PORT, &port) != SSH_OK ||
      ssh_options_set(s, SSH_OPTIONS_USER, target.user.c_str()) != SSH_OK ||
      ssh_options_set(s, SSH_OPTIONS_TIMEOUT, &seconds) != SSH_OK ||
      ssh_options_set(s, SSH_OPTIONS_PROCESS_CONFIG, &no) != SSH_OK) {
    return failure(ErrorCode::kInvalidArgument, "bad SSH target " + where(target), s);
  }
  if (ssh_connect(s) != SSH_OK) {
    return failure(ErrorCode::kUnavailable, "cannot reach the SSH server at " + where(target), s);
  }
  std::string fingerprint = serverFingerprint(s);
  if (fingerprint.empty()) {
    return failure(ErrorCode::kInternal, "cannot read the host key of " + where(target), s);
  }
  if (!target.knownHostKey.empty() && fingerprint != target.knownHostKey) {
    return makeError(ErrorCode::kInternal,
                     "the host key of " + target.host +
                         " changed: another machine may answer "
                         "at this address; delete and add it again if it was reinstalled",
                     "expected " + target.knownHostKey + ", got " + fingerprint);
  }
  if (ssh_userauth_password(s, nullptr, target.password.c_str()) != SSH_AUTH_SUCCESS) {
    return failure(ErrorCode::kInvalidArgument,
                   "the SSH server refused the password of " + where(target), s);
  }
  return std::unique_ptr<Connection>(new Connection(std::move(impl), std::move(fingerprint)));
}

Result<CommandResult> Connection::run(const std::string& command) {
  ssh_session s = impl_->session;
  ssh_channel channel = ssh_channel_new(s);
  if (!channel) return failure(ErrorCode::kInternal, "cannot open an SSH channel", s);
  struct Closer {
    ssh_channel c;
    ~Closer() {
      ssh_channel_close(c);
      ssh_channel_free(c);
    }
  } closer{channel};
  if (ssh_channel_open_session(channel) != SSH_OK ||
      ssh_channel_request_exec(channel, command.c_str()) != SSH_OK) {
    return failure(ErrorCode::kUnavailable, "cannot run a command over SSH", s);
  }
  CommandResult result;
  std::array<char, 16384> buffer{};
  const auto deadline = Clock::now() + impl_->timeout;
  // Both streams are drained as data comes, so a command writing much to stderr cannot stall
  // on a full window while stdout is read.
  while (true) {
    int out = ssh_channel_read_nonblocking(channel, buffer.data(), buffer.size(), 0);
    if (out > 0) result.out.append(buffer.data(), static_cast<std::size_t>(out));
    int err = ssh_channel_read_nonblocking(channel, buffer.data(), buffer.size(), 1);
    if (err > 0) result.err.append(buffer.data(), static_cast<std::size_t>(err));
    if (out == SSH_ERROR || err == SSH_ERROR) {
      return failure(ErrorCode::kUnavailable, "the SSH connection broke during a command", s);
    }
    if (out > 0 || err > 0) continue;
    if (ssh_channel_is_eof(channel)) break;
    if (Clock::now() >= deadline) {
      return makeError(
          ErrorCode::kTimeout,
          "an SSH command did not finish within " + std::to_string(impl_->timeout.count()) + " ms",
          command);
    }
    ssh_channel_poll_timeout(channel, 50, 0);
  }
  ssh_channel_send_eof(channel);
  result.exitStatus = ssh_channel_get_exit_status(channel);
  return result;
}

namespace {

// A channel running one command, closed and freed with the object.
struct Exec {
  ssh_channel channel = nullptr;
  ~Exec() {
    if (!channel) return;
    ssh_channel_close(channel);
    ssh_channel_free(channel);
  }
};

Status startExec(ssh_session s, Exec& exec, const std::string& command) {
  exec.channel = ssh_channel_new(s);
  if (!exec.channel || ssh_channel_open_session(exec.channel) != SSH_OK ||
      ssh_channel_request_exec(exec.channel, command.c_str()) != SSH_OK) {
    return failure(ErrorCode::kUnavailable, "cannot run a command over SSH", s);
  }
  return {};
}

std::string drain(ssh_channel c, int isStderr) {
  std::string out;
  std::array<char, 4096> buffer{};
  int n = 0;
  while ((n = ssh_channel_read_nonblocking(c, buffer.data(), buffer.size(), isStderr)) > 0)
    out.append(buffer.data(), static_cast<std::size_t>(n));
  return out;
}

Error exitError(const Target& t, int status, const std::string& err, const std::string& command) {
  return makeError(
      ErrorCode::kInternal,
      "a command on " + t.host + " exited with status " + std::to_string(status) + ": " + err,
      command);
}

// Feeds what `next` gives (a chunk's size, 0 at the end) into `writeCommand` on `to`, and answers
// its stdout once it exits 0.
Result<std::string> streamInto(ssh_session out, const Target& to, const std::string& writeCommand,
                               const std::function<Result<std::size_t>(char*, std::size_t)>& next) {
  Exec writer;
  if (auto s = startExec(out, writer, writeCommand); !s) return s.error();
  std::array<char, 65536> buffer{};
  std::string writeOut, writeErr;
  for (;;) {
    auto n = next(buffer.data(), buffer.size());
    if (!n) return n.error();
    if (*n == 0) break;
    for (std::size_t done = 0; done < *n;) {
      int w = ssh_channel_write(writer.channel, buffer.data() + done,
                                static_cast<std::uint32_t>(*n - done));
      if (w == SSH_ERROR) return failure(ErrorCode::kUnavailable, "writing over SSH failed", out);
      done += static_cast<std::size_t>(w);
    }
    writeOut += drain(writer.channel, 0);
    writeErr += drain(writer.channel, 1);
  }
  ssh_channel_send_eof(writer.channel);
  // After its input ends the writer may still work (checksums of a large file): an hour at most.
  const auto deadline = Clock::now() + std::chrono::hours(1);
  while (!ssh_channel_is_eof(writer.channel)) {
    writeOut += drain(writer.channel, 0);
    writeErr += drain(writer.channel, 1);
    if (Clock::now() > deadline) {
      return makeError(ErrorCode::kTimeout, "a command on " + to.host + " did not finish",
                       writeCommand);
    }
    ssh_channel_poll_timeout(writer.channel, 50, 0);
  }
  writeOut += drain(writer.channel, 0);
  writeErr += drain(writer.channel, 1);
  int writeStatus = ssh_channel_get_exit_status(writer.channel);
  if (writeStatus != 0) return exitError(to, writeStatus, writeErr, writeCommand);
  return writeOut;
}

}  // namespace

Result<std::string> pipe(const Target& from, const std::string& readCommand, const Target& to,
                         const std::string& writeCommand) {
  auto source = Connection::open(from);
  if (!source) return source.error();
  auto sink = Connection::open(to);
  if (!sink) return sink.error();
  ssh_session in = (*source)->impl_->session;
  Exec reader;
  if (auto s = startExec(in, reader, readCommand); !s) return s.error();
  // Each chunk must arrive within the timeout; the copy as a whole may take as long as it takes.
  const int waitMs = static_cast<int>(std::max<std::int64_t>(1000, from.timeout.count()));
  auto written = streamInto(
      (*sink)->impl_->session, to, writeCommand,
      [&](char* data, std::size_t size) -> Result<std::size_t> {
        int n = ssh_channel_read_timeout(reader.channel, data, static_cast<std::uint32_t>(size), 0,
                                         waitMs);
        if (n > 0) return static_cast<std::size_t>(n);
        if (ssh_channel_is_eof(reader.channel)) return std::size_t{0};
        if (n == SSH_ERROR) return failure(ErrorCode::kUnavailable, "reading over SSH failed", in);
        return makeError(ErrorCode::kTimeout,
                         "no data from " + from.host + " for " + std::to_string(waitMs) + " ms",
                         readCommand);
      });
  if (!written) return written.error();
  std::string readErr = drain(reader.channel, 1);
  int readStatus = ssh_channel_get_exit_status(reader.channel);
  if (readStatus != 0) return exitError(from, readStatus, readErr, readCommand);
  return written;
}

Result<std::string> upload(std::istream& in, const Target& to, const std::string& writeCommand) {
  auto sink = Connection::open(to);
  if (!sink) return sink.error();
  return streamInto((*sink)->impl_->session, to, writeCommand,
                    [&](char* data, std::size_t size) -> Result<std::size_t> {
                      in.read(data, static_cast<std::streamsize>(size));
                      if (in.bad())
                        return makeError(ErrorCode::kInternal, "reading a local file failed");
                      return static_cast<std::size_t>(in.gcount());
                    });
}

std::string writeWholeFile(const std::string& path, std::int64_t size, bool executable) {
  std::string part = shellQuote(path + ".part");
  std::string dir = shellQuote(path.substr(0, path.rfind('/')));
  return "mkdir -p -- " + dir + " && cat > " + part + " && if [ \"$(stat -c %s -- " + part +
         ")\" = " + std::to_string(size) + " ]; then " +
         (executable ? "chmod 755 " + part + " && " : "") + "mv -f -- " + part + " " +
         shellQuote(path) + "; else rm -f -- " + part +
         "; echo 'the copy was cut short' >&2; exit 1; fi";
}

Result<std::string> copyFile(const Target& from, const std::string& fromPath, const Target& to,
                             const std::string& toPath, const std::string& thenRun) {
  auto size = runChecked(from, "stat -c %s -- " + shellQuote(fromPath));
  if (!size) return size.error();
  std::string write = writeWholeFile(toPath, std::atoll(size->c_str()));
  if (!thenRun.empty()) write = "set -e\n" + write + "\n" + thenRun;
  return pipe(from, "cat -- " + shellQuote(fromPath), to, write);
}

std::string shellQuote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

Result<std::string> runChecked(const Target& target, const std::string& command,
                               std::string* hostKey) {
  auto connection = Connection::open(target);
  if (!connection) return connection.error();
  if (hostKey) *hostKey = (*connection)->hostKey();
  auto ran = (*connection)->run(command);
  if (!ran) return ran.error();
  if (ran->exitStatus != 0) {
    std::string err = ran->err.empty() ? ran->out : ran->err;
    while (!err.empty() && (err.back() == '\n' || err.back() == '\r')) err.pop_back();
    return makeError(ErrorCode::kInternal,
                     "a command on " + target.host + " exited with status " +
                         std::to_string(ran->exitStatus) + ": " + err,
                     command);
  }
  return ran->out;
}

}  // namespace strato::ssh
