// What the benchmarks that drive a real strato-server share: the server as a child process, and
// one-shot HTTP requests against it with a ZStack session.
#pragma once

#include <Poco/Process.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace strato::bench {

using Json = nlohmann::json;

struct Reply {
  int status = 0;
  Json body;
};

// One request on a fresh connection; `session` goes in the Authorization header unless empty.
Reply send(int port, const std::string& method, const std::string& path, const Json& body,
           const std::string& session);
// The same, answering the body as it came: for timings that must not include the bench's own
// JSON parsing of a large answer.
struct RawReply {
  int status = 0;
  std::string body;
};
RawReply sendRaw(int port, const std::string& method, const std::string& path, const Json& body,
                 const std::string& session);

std::string sha512Hex(const std::string& text);

// Logs in as admin/password; the session uuid, or empty (and a message on stderr).
std::string loginAdmin(int port);

// Follows an async API's 202 until the job finished: the final reply.
Reply waitForJob(int port, const Reply& accepted, const std::string& session);

// strato-server as a child process in a scratch directory (SQLite there unless `databaseUrl`),
// loading every plugin in `pluginDirs` (comma-separated); stopped and cleaned up on destruction.
class Server {
 public:
  Server(const std::string& databaseUrl, const std::string& pluginDirs,
         const std::vector<std::string>& extraArgs = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  int port() const { return port_; }
  int pid() const { return static_cast<int>(handle_->id()); }
  // Resident set size from /proc/<pid>/status (VmRSS), in KiB; 0 if unreadable.
  long rssKib() const;

 private:
  std::filesystem::path dir_;
  std::unique_ptr<Poco::ProcessHandle> handle_;
  int port_ = 0;
};

}  // namespace strato::bench
