// A small HTTP server on Poco Net. Handlers see plain structs, so Poco stays out of every header
// but this module's .cc. Handlers run on the server's own thread pool and may block briefly.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "strato/result.h"

namespace strato::kernel {

struct HttpRequest {
  std::string method;
  std::string uri;  // path and query as sent
  std::string path;
  std::string query;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

struct HttpResponse {
  int status = 200;
  std::string contentType = "application/json; charset=utf-8";
  std::map<std::string, std::string> headers;
  std::string body;
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0 = any free port
  int threads = 16;
  std::size_t maxBodyBytes = 4 << 20;
};

class HttpServer {
 public:
  // Binds and starts serving; fails when the address cannot be bound.
  static Result<std::unique_ptr<HttpServer>> start(const HttpServerOptions& options,
                                                   HttpHandler handler);
  virtual ~HttpServer() = default;
  virtual int port() const = 0;
  // Stops accepting and waits for requests in progress. Idempotent.
  virtual void stop() = 0;
};

}  // namespace strato::kernel
