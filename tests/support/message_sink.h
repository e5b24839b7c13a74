// Stands in for a management node that agents call back: POST /v1/messages on 127.0.0.1 answers
// every message with a successful, empty bus reply and keeps it for the test. Stopped with the
// object.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace Poco::Net {
class HTTPServer;
}

namespace strato::test {

class MessageSink {
 public:
  MessageSink();
  ~MessageSink();
  int port() const { return port_; }

  // The messages kept whose body["taskUuid"] is `taskUuid`, once there are `count` of them or
  // `timeout` has passed.
  std::vector<nlohmann::json> waitForTask(const std::string& taskUuid, std::size_t count,
                                          std::chrono::milliseconds timeout);
  std::size_t count();
  void keep(nlohmann::json message);

 private:
  int port_ = 0;
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::vector<nlohmann::json> messages_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
};

}  // namespace strato::test
