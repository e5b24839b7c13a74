// A blocking HTTP client for tests. Poco stays in the .cc.
#pragma once

#include <chrono>
#include <map>
#include <string>

namespace strato::test {

struct HttpReply {
  int status = 0;  // 0: no HTTP answer; see `error`
  std::string body;
  std::map<std::string, std::string> headers;
  std::string error;
};

HttpReply httpRequest(const std::string& method, const std::string& host, int port,
                      const std::string& pathAndQuery, const std::string& body = "",
                      const std::map<std::string, std::string>& headers = {},
                      std::chrono::milliseconds timeout = std::chrono::seconds(10));

inline HttpReply httpGet(const std::string& host, int port, const std::string& path) {
  return httpRequest("GET", host, port, path);
}

}  // namespace strato::test
