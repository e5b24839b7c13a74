#include "http/http_server.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/ThreadPool.h>
#include <Poco/URI.h>

#include <algorithm>
#include <cctype>
#include <istream>

#include "log/logging.h"

namespace strato::kernel {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// Messages here are fixed text (no quotes to escape), so the body is written by hand and this
// module needs no JSON library.
HttpResponse errorResponse(int status, const std::string& code, const std::string& message) {
  HttpResponse r;
  r.status = status;
  r.body = R"({"error":{"code":")" + code + R"(","description":")" + message +
           R"(","details":"","elaboration":"","opaque":{},"cause":null}})";
  return r;
}

// ZStack clients know 400 for a bad request, not 413.
HttpResponse tooLarge(std::size_t limit) {
  return errorResponse(400, "SYS.1007",
                       "request body larger than " + std::to_string(limit) + " bytes");
}

class Handler final : public Poco::Net::HTTPRequestHandler {
 public:
  Handler(const HttpHandler& handler, std::size_t maxBody) : handler_(handler), maxBody_(maxBody) {}

  void handleRequest(Poco::Net::HTTPServerRequest& in,
                     Poco::Net::HTTPServerResponse& out) override {
    HttpResponse response;
    try {
      response = serve(in);
    } catch (const std::exception& e) {
      componentLogger("kernel.http")
          ->error(std::string("handler threw error=\"") + e.what() + "\"");
      response = errorResponse(500, "SYS.1000", "internal error");
    }
    out.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(response.status));
    out.setContentType(response.contentType);
    for (const auto& [name, value] : response.headers) out.set(name, value);
    out.setContentLength(static_cast<std::streamsize>(response.body.size()));
    out.send().write(response.body.data(), static_cast<std::streamsize>(response.body.size()));
  }

 private:
  HttpResponse serve(Poco::Net::HTTPServerRequest& in) {
    HttpRequest request;
    request.method = in.getMethod();
    request.uri = in.getURI();
    auto q = request.uri.find('?');
    request.path = request.uri.substr(0, q);
    if (q != std::string::npos) request.query = request.uri.substr(q + 1);
    for (const auto& [name, value] : in) request.headers[lower(name)] = value;
    if (in.hasContentLength() && static_cast<std::size_t>(in.getContentLength64()) > maxBody_) {
      // A client still sending gets a reset connection instead of our answer unless the body is
      // read: drop a body of up to four times the limit; anything larger is simply cut off.
      auto length = static_cast<std::size_t>(in.getContentLength64());
      if (length <= 4 * maxBody_) in.stream().ignore(static_cast<std::streamsize>(length));
      return tooLarge(maxBody_);
    }
    // Without Content-Length or chunked encoding an HTTP/1.1 request has no body (RFC 7230 3.3.3);
    // reading anyway would wait for the client to close the connection.
    if (!in.hasContentLength() && !in.getChunkedTransferEncoding()) return handler_(request);
    std::string body;
    char buffer[8192];
    auto& stream = in.stream();
    while (stream.read(buffer, sizeof buffer) || stream.gcount() > 0) {
      body.append(buffer, static_cast<std::size_t>(stream.gcount()));
      if (body.size() > maxBody_) {
        return tooLarge(maxBody_);
      }
    }
    request.body = std::move(body);
    return handler_(request);
  }

  const HttpHandler& handler_;
  std::size_t maxBody_;
};

class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Factory(HttpHandler handler, std::size_t maxBody)
      : handler_(std::move(handler)), maxBody_(maxBody) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new Handler(handler_, maxBody_);
  }

 private:
  HttpHandler handler_;
  std::size_t maxBody_;
};

class PocoHttpServer final : public HttpServer {
 public:
  PocoHttpServer(const HttpServerOptions& options, HttpHandler handler,
                 Poco::Net::ServerSocket socket)
      // Every thread from the start and for good: a pool allowed to shrink tidies itself on
      // every 32nd connection it takes, and that connection waited about 8 ms more (the listing
      // p99 of strato-bench-vms).
      : pool_(options.threads, options.threads), port_(socket.address().port()) {
    auto* params = new Poco::Net::HTTPServerParams();
    params->setMaxThreads(options.threads);
    params->setMaxQueued(1024);
    params->setKeepAlive(true);
    server_ = std::make_unique<Poco::Net::HTTPServer>(
        new Factory(std::move(handler), options.maxBodyBytes), pool_, socket, params);
    server_->start();
  }
  ~PocoHttpServer() override { stop(); }

  int port() const override { return port_; }

  void stop() override {
    if (server_) {
      server_->stopAll(true);
      server_.reset();
      pool_.joinAll();
    }
  }

 private:
  Poco::ThreadPool pool_;
  int port_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
};

}  // namespace

Result<std::unique_ptr<HttpServer>> HttpServer::start(const HttpServerOptions& options,
                                                      HttpHandler handler) {
  try {
    Poco::Net::ServerSocket socket;
    socket.bind(Poco::Net::SocketAddress(options.host, static_cast<Poco::UInt16>(options.port)),
                /*reuseAddress=*/true,
                /*reusePort=*/false);  // never share a port with another server
    socket.listen(256);
    return std::unique_ptr<HttpServer>(
        std::make_unique<PocoHttpServer>(options, std::move(handler), std::move(socket)));
  } catch (const Poco::Exception& e) {
    return makeError(ErrorCode::kUnavailable,
                     "cannot listen on " + options.host + ":" + std::to_string(options.port),
                     e.displayText());
  }
}

}  // namespace strato::kernel
