#include "support/file_server.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>

#include <fstream>

namespace strato::test {
namespace {

class Handler : public Poco::Net::HTTPRequestHandler {
 public:
  explicit Handler(std::filesystem::path dir) : dir_(std::move(dir)) {}
  void handleRequest(Poco::Net::HTTPServerRequest& in,
                     Poco::Net::HTTPServerResponse& out) override {
    std::string name = in.getURI().substr(1);
    auto path = dir_ / name;
    if (name.empty() || name.find("..") != std::string::npos ||
        !std::filesystem::is_regular_file(path)) {
      out.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NOT_FOUND);
      out.send() << "not found";
      return;
    }
    std::ifstream file(path, std::ios::binary);
    out.setContentLength64(static_cast<Poco::Int64>(std::filesystem::file_size(path)));
    out.setContentType("application/octet-stream");
    out.send() << file.rdbuf();
  }

 private:
  std::filesystem::path dir_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit Factory(std::filesystem::path dir) : dir_(std::move(dir)) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new Handler(dir_);
  }

 private:
  std::filesystem::path dir_;
};

}  // namespace

FileServer::FileServer(std::filesystem::path dir) : dir_(std::move(dir)) {
  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
  port_ = socket.address().port();
  server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(dir_), socket,
                                                    new Poco::Net::HTTPServerParams);
  server_->start();
}

FileServer::~FileServer() { server_->stopAll(true); }

std::string FileServer::url(const std::string& name) const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/" + name;
}

}  // namespace strato::test
