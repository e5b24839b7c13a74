#include "support/message_sink.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>

#include <sstream>

namespace strato::test {
namespace {

class Handler : public Poco::Net::HTTPRequestHandler {
 public:
  explicit Handler(MessageSink& sink) : sink_(sink) {}
  void handleRequest(Poco::Net::HTTPServerRequest& in,
                     Poco::Net::HTTPServerResponse& out) override {
    std::ostringstream body;
    body << in.stream().rdbuf();
    sink_.keep(nlohmann::json::parse(body.str(), nullptr, false));
    out.setContentType("application/json");
    out.send() << R"({"success": true, "body": {}})";
  }

 private:
  MessageSink& sink_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit Factory(MessageSink& sink) : sink_(sink) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new Handler(sink_);
  }

 private:
  MessageSink& sink_;
};

}  // namespace

MessageSink::MessageSink() {
  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
  port_ = socket.address().port();
  server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(*this), socket,
                                                    new Poco::Net::HTTPServerParams);
  server_->start();
}

MessageSink::~MessageSink() { server_->stopAll(true); }

void MessageSink::keep(nlohmann::json message) {
  std::lock_guard lock(mutex_);
  messages_.push_back(std::move(message));
  arrived_.notify_all();
}

std::size_t MessageSink::count() {
  std::lock_guard lock(mutex_);
  return messages_.size();
}

std::vector<nlohmann::json> MessageSink::waitForTask(const std::string& taskUuid, std::size_t count,
                                                     std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  std::vector<nlohmann::json> found;
  arrived_.wait_for(lock, timeout, [&] {
    found.clear();
    for (const auto& m : messages_) {
      if (m.is_object() &&
          m.value("body", nlohmann::json::object()).value("taskUuid", "") == taskUuid)
        found.push_back(m);
    }
    return found.size() >= count;
  });
  return found;
}

}  // namespace strato::test
