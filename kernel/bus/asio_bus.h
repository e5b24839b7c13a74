// The kernel's MessageBus on Boost.Asio: a worker pool for handlers and callbacks, a separate
// pool for blocking work that grows while all its threads are busy, a FIFO per resource uuid, a
// timer per request. Asio stays in the .cc.
#pragma once

#include <chrono>
#include <memory>

#include "strato/bus.h"

namespace strato::kernel {

class AsioBus final : public MessageBus {
 public:
  struct Options {
    unsigned workerThreads = 0;  // 0 = one per core
    unsigned blockingThreads = 16;  // always there
    std::chrono::milliseconds defaultTimeout{30000};
    unsigned blockingThreadsMax = 256;  // while all are busy (elastic_pool.h)
  };

  explicit AsioBus(Options options);
  ~AsioBus() override;  // shutdown()
  AsioBus(const AsioBus&) = delete;
  AsioBus& operator=(const AsioBus&) = delete;

  Status registerHandler(std::string type, RequestHandler handler) override;
  bool hasHandler(const std::string& type) const;
  using MessageBus::request;
  RequestHandle request(Message message, ReplyCallback onReply,
                        std::chrono::milliseconds timeout) override;
  std::chrono::milliseconds defaultTimeout() const override;
  Subscription subscribe(std::string eventType, EventHandler handler) override;
  void publish(Message event) override;
  void post(std::function<void()> work) override;
  void postBlocking(std::function<void()> work) override;

  // Completes every pending request with kUnavailable, refuses new ones, stops and joins both
  // pools. Idempotent. Must not be called from a bus thread.
  void shutdown();

  // Resources with a running or waiting request (idle ones cost nothing). For tests.
  std::size_t busyResources() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace strato::kernel
