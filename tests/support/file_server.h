// A static file server on 127.0.0.1 for tests that download: GET /<name> answers the file
// <dir>/<name>, or 404. Stopped with the object.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

namespace Poco::Net {
class HTTPServer;
}

namespace strato::test {

class FileServer {
 public:
  explicit FileServer(std::filesystem::path dir);
  ~FileServer();
  // http://127.0.0.1:<port>/<name>
  std::string url(const std::string& name) const;

 private:
  std::filesystem::path dir_;
  int port_ = 0;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
};

}  // namespace strato::test
