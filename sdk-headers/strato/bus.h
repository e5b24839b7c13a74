// The message bus: request/reply and publish/subscribe between plugins (and, through the JSON
// form, between processes and machines).
//
// Ordering: requests that name a resource uuid run one at a time per uuid, in arrival order; a
// request counts as running until its handler replies (or it times out or is cancelled, so a
// stuck handler cannot wedge its resource). Requests without a uuid, and requests for different
// uuids, run in parallel on the worker pool.
//
// Threads: handlers, reply callbacks and event handlers run on bus worker threads and must not
// block; put blocking work (SQL, libvirt, file I/O) on postBlocking() and reply from there.
// Every request completes its callback exactly once: with the reply, a kTimeout error, a
// kCancelled error, or a kInternal error when the handler dropped its Replier without replying.
#pragma once

#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <utility>

#include "strato/json.h"
#include "strato/result.h"

namespace strato {

struct Message {
  std::string type;          // dotted name, e.g. "zone.CreateZone"; the handler is looked up by it
  std::string resourceUuid;  // serialization key; empty = no ordering constraint
  Json body;

  Json toJson() const {
    return Json{{"type", type}, {"resourceUuid", resourceUuid}, {"body", body}};
  }

  static Result<Message> fromJson(const Json& j) {
    if (!j.is_object() || !j.contains("type") || !j["type"].is_string() ||
        j["type"].get_ref<const std::string&>().empty()) {
      return makeError(ErrorCode::kInvalidArgument, "message JSON needs a non-empty string 'type'");
    }
    Message m;
    m.type = j["type"].get<std::string>();
    if (j.contains("resourceUuid")) {
      if (!j["resourceUuid"].is_string()) {
        return makeError(ErrorCode::kInvalidArgument, "message 'resourceUuid' must be a string");
      }
      m.resourceUuid = j["resourceUuid"].get<std::string>();
    }
    if (j.contains("body")) m.body = j["body"];
    return m;
  }
};

using Reply = Result<Json>;

// JSON form of a reply: {"success":true,"body":...} or {"success":false,"error":{...}}.
inline Json replyToJson(const Reply& reply) {
  if (reply.ok()) return Json{{"success", true}, {"body", reply.value()}};
  const Error& e = reply.error();
  return Json{
      {"success", false},
      {"error", {{"code", toString(e.code)}, {"message", e.message}, {"details", e.details}}}};
}

inline Reply replyFromJson(const Json& j) {
  if (!j.is_object() || !j.contains("success") || !j["success"].is_boolean()) {
    return makeError(ErrorCode::kInvalidArgument, "reply JSON needs a boolean 'success'");
  }
  if (j["success"].get<bool>()) return j.contains("body") ? j["body"] : Json();
  const Json& e = j.value("error", Json::object());
  auto code = errorCodeFromString(e.value("code", std::string()));
  return makeError(code.value_or(ErrorCode::kInternal), e.value("message", std::string()),
                   e.value("details", std::string()));
}

// Kernel side of one request; plugins only see it through Replier.
class ReplySink {
 public:
  virtual ~ReplySink() = default;
  virtual void complete(Reply reply) = 0;  // first call wins; later calls are ignored
  virtual void abandon() = 0;              // the Replier died without replying
  virtual bool finished() const = 0;       // replied, timed out or cancelled
};

// Handed to a request handler. Move it wherever the work continues and call it once, from any
// thread. Dropping it unanswered completes the request with a kInternal error.
class Replier {
 public:
  explicit Replier(std::shared_ptr<ReplySink> sink) : sink_(std::move(sink)) {}
  Replier(Replier&&) noexcept = default;
  Replier& operator=(Replier&& other) noexcept {
    if (this != &other) {
      abandon();
      sink_ = std::move(other.sink_);
    }
    return *this;
  }
  Replier(const Replier&) = delete;
  Replier& operator=(const Replier&) = delete;
  ~Replier() { abandon(); }

  void operator()(Reply reply) {
    if (auto sink = std::move(sink_)) sink->complete(std::move(reply));
  }
  // True once the caller stopped waiting (timeout or cancel): long work may stop early.
  bool cancelled() const { return !sink_ || sink_->finished(); }

 private:
  void abandon() {
    if (auto sink = std::move(sink_)) sink->abandon();
  }
  std::shared_ptr<ReplySink> sink_;
};

using RequestHandler = std::function<void(Message request, Replier reply)>;
using ReplyCallback = std::function<void(Reply reply)>;
using EventHandler = std::function<void(const Message& event)>;

class Cancellable {
 public:
  virtual ~Cancellable() = default;
  virtual void cancel() = 0;
};

// Returned by request(); cancel() completes the request with kCancelled unless it already
// finished. A request still waiting in its resource queue never starts once cancelled.
class RequestHandle {
 public:
  RequestHandle() = default;
  explicit RequestHandle(std::shared_ptr<Cancellable> target) : target_(std::move(target)) {}
  void cancel() const {
    if (target_) target_->cancel();
  }

 private:
  std::shared_ptr<Cancellable> target_;
};

// Unsubscribes when reset or destroyed.
class Subscription {
 public:
  Subscription() = default;
  explicit Subscription(std::function<void()> unsubscribe) : unsubscribe_(std::move(unsubscribe)) {}
  Subscription(Subscription&& other) noexcept
      : unsubscribe_(std::exchange(other.unsubscribe_, {})) {}
  Subscription& operator=(Subscription&& other) noexcept {
    if (this != &other) {
      reset();
      unsubscribe_ = std::exchange(other.unsubscribe_, {});
    }
    return *this;
  }
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;
  ~Subscription() { reset(); }
  void reset() {
    if (auto fn = std::exchange(unsubscribe_, {})) fn();
  }

 private:
  std::function<void()> unsubscribe_;
};

class MessageBus {
 public:
  virtual ~MessageBus() = default;

  // One handler per message type; a second registration of the same type fails.
  virtual Status registerHandler(std::string type, RequestHandler handler) = 0;

  // A message type without a handler completes at once with kNotFound.
  virtual RequestHandle request(Message message, ReplyCallback onReply,
                                std::chrono::milliseconds timeout) = 0;
  RequestHandle request(Message message, ReplyCallback onReply) {
    return request(std::move(message), std::move(onReply), defaultTimeout());
  }
  virtual std::chrono::milliseconds defaultTimeout() const = 0;

  // Every subscriber of the event's type gets it once, in parallel, on worker threads.
  virtual Subscription subscribe(std::string eventType, EventHandler handler) = 0;
  virtual void publish(Message event) = 0;

  virtual void post(std::function<void()> work) = 0;          // short CPU work
  virtual void postBlocking(std::function<void()> work) = 0;  // SQL, libvirt, files, processes
};

// A request handler whose work blocks (SQL, files, processes): `work` runs on the blocking pool
// and its result is the reply. `bus` must outlive the handler.
inline RequestHandler blockingHandler(MessageBus& bus, std::function<Reply(const Message&)> work) {
  return [&bus, work = std::move(work)](Message message, Replier reply) {
    // std::function needs a copyable callable; the Replier is move-only.
    auto shared = std::make_shared<Replier>(std::move(reply));
    bus.postBlocking([work, shared, message = std::move(message)] { (*shared)(work(message)); });
  };
}

// The kernel queues an API's request on the resource its `uuid` parameter names. An API that
// names its resource by another parameter (AttachBackupStorageToZone's backupStorageUuid, say)
// registers this handler, which re-sends the request as `innerType` on the queue of the resource
// body["params"][param] names; `innerType`'s handler then does the work, one change at a time.
// The forwarded request waits as long as `timeout`, which defaults to a day: the API call around
// it has its own timeout, and the inner work (a migration, a snapshot) must not be given up
// while it still holds the resource's queue.
inline RequestHandler forwardToQueue(MessageBus& bus, std::string param, std::string innerType,
                                     std::chrono::milliseconds timeout = std::chrono::hours(24)) {
  return
      [&bus, param = std::move(param), innerType = std::move(innerType), timeout](Message m, Replier reply) {
        std::string uuid;
        if (m.body.contains("params") && m.body["params"].contains(param) &&
            m.body["params"][param].is_string()) {
          uuid = m.body["params"][param].get<std::string>();
        }
        auto shared = std::make_shared<Replier>(std::move(reply));
        bus.request({innerType, uuid, std::move(m.body)},
                    [shared](Reply done) { (*shared)(std::move(done)); }, timeout);
      };
}

// Waits for the reply. Only for threads that are not bus workers (main, tests, blocking pool):
// a worker that waits on the bus can starve the very pool that must answer it.
inline Reply call(MessageBus& bus, Message message, std::chrono::milliseconds timeout) {
  auto promise = std::make_shared<std::promise<Reply>>();
  auto future = promise->get_future();
  bus.request(
      std::move(message), [promise](Reply r) { promise->set_value(std::move(r)); }, timeout);
  return future.get();
}

}  // namespace strato
