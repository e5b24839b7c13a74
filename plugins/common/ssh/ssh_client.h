// An SSH client for plugins that reach machines by SSH with a user name and password, as ZStack's
// APIs give them (AddImageStoreBackupStorage, AddSftpBackupStorage, AddKVMHost): connect, check
// the server's host key, run commands. Built on libssh; everything blocks, so call it from the
// bus's blocking pool. Plugins link the static library strato_plugin_ssh.
#pragma once

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>

#include <strato/result.h>

namespace strato::ssh {

struct Target {
  std::string host;
  int port = 22;
  std::string user;
  std::string password;
  // Connecting and each command give up after this long.
  std::chrono::milliseconds timeout = std::chrono::seconds(15);
  // The server's host key as a fingerprint ("SHA256:..."). Empty trusts whatever key the server
  // shows (the first connection); otherwise a different key is refused, since it means another
  // machine answers at that address.
  std::string knownHostKey;
};

struct CommandResult {
  int exitStatus = -1;
  std::string out;
  std::string err;
};

class Connection {
 public:
  // kInvalidArgument: the server refused the user name or password; kInternal: the host key
  // changed; kTimeout or kInternal when the server cannot be reached.
  static Result<std::unique_ptr<Connection>> open(const Target& target);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // The server's host key fingerprint, to be kept as Target::knownHostKey.
  const std::string& hostKey() const { return hostKey_; }
  // Runs `command` through the remote user's shell. A non-zero exit is not an error here.
  Result<CommandResult> run(const std::string& command);

 private:
  friend Result<std::string> pipe(const Target&, const std::string&, const Target&,
                                  const std::string&);
  friend Result<std::string> upload(std::istream&, const Target&, const std::string&);
  struct Impl;
  explicit Connection(std::unique_ptr<Impl> impl, std::string hostKey);
  std::unique_ptr<Impl> impl_;
  std::string hostKey_;
};

// Streams what `readCommand` writes on `from` into the stdin of `writeCommand` on `to`, through
// this process, in chunks (nothing is held whole); answers writeCommand's stdout. Either command
// exiting non-zero is an error carrying its stderr. For copying files between machines that
// share no credentials.
Result<std::string> pipe(const Target& from, const std::string& readCommand, const Target& to,
                         const std::string& writeCommand);

// Streams `in` (a local file, say) into the stdin of `writeCommand` on `to`, in chunks; answers
// its stdout, or an error carrying its stderr when it exits non-zero.
Result<std::string> upload(std::istream& in, const Target& to, const std::string& writeCommand);

// A shell command that writes its stdin to `path` (absolute) whole or not at all: beside it
// first, renamed over it only once it holds `size` bytes. A stream cut short (its source died)
// ends the command's input as cleanly as a whole one, so the size is what tells them apart.
std::string writeWholeFile(const std::string& path, std::int64_t size, bool executable = false);

// Copies file `fromPath` on `from` to `toPath` on `to`, through this process (pipe), whole or not
// at all (the size is measured on `from` first); then runs `thenRun` on `to`, in the same
// command, and answers its output. For machines that share no credentials.
Result<std::string> copyFile(const Target& from, const std::string& fromPath, const Target& to,
                             const std::string& toPath, const std::string& thenRun = {});

// `text` as one word for a POSIX shell: single-quoted, with embedded quotes escaped.
std::string shellQuote(const std::string& text);

// Runs one command on a fresh connection; an exit status other than 0 is an error (kInternal)
// carrying the command's stderr. `hostKey`, when given, receives the server's fingerprint.
Result<std::string> runChecked(const Target& target, const std::string& command,
                               std::string* hostKey = nullptr);

}  // namespace strato::ssh
