#include "bus/asio_bus.h"

#include <boost/asio/defer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "bus/elastic_pool.h"
#include "bus/resource_queues.h"
#include "bus/timeout_wheel.h"
#include "log/logging.h"

namespace strato::kernel {

namespace asio = boost::asio;

namespace {
unsigned workerCount(unsigned configured) {
  return configured ? configured : std::max(1u, std::thread::hardware_concurrency());
}
}  // namespace

class Call;

struct AsioBus::Impl {
  explicit Impl(const Options& o)
      : workers(workerCount(o.workerThreads)),
        blocking(o.blockingThreads, o.blockingThreadsMax, std::chrono::seconds(30)),
        timeout(o.defaultTimeout),
        log(componentLogger("kernel.bus")),
        sweepTimer(workers) {
    scheduleSweep();
  }

  // Expires due requests once per tick, for as long as the bus runs.
  void scheduleSweep() {
    sweepTimer.expires_after(kTick);
    sweepTimer.async_wait([this](const boost::system::error_code& ec) {
      if (ec || stopping.load(std::memory_order_acquire)) return;
      expireDue();
      scheduleSweep();
    });
  }
  void expireDue();

  void runGuarded(const std::function<void()>& work, const char* what) {
    try {
      work();
    } catch (const std::exception& e) {
      log->error(fmt::format("{} threw error=\"{}\"", what, e.what()));
    } catch (...) {
      log->error(fmt::format("{} threw a non-standard exception", what));
    }
  }

  void dispatch(std::shared_ptr<Call> call);

  asio::thread_pool workers;
  ElasticPool blocking;
  std::chrono::milliseconds timeout;
  std::shared_ptr<Logger> log;
  std::atomic<bool> stopping{false};

  std::shared_mutex handlersMutex;
  std::unordered_map<std::string, std::shared_ptr<const RequestHandler>> handlers;

  struct Subscriber {
    std::uint64_t id;
    std::shared_ptr<const EventHandler> handler;
  };
  std::mutex subscribersMutex;
  std::unordered_map<std::string, std::vector<Subscriber>> subscribers;
  std::uint64_t nextSubscriberId = 1;

  static constexpr std::chrono::milliseconds kTick{5};
  ResourceQueues<Call> queues;
  TimeoutWheel<Call> deadlines{kTick};
  asio::steady_timer sweepTimer;  // last: it refers to `workers`
};

// One request in flight. Whoever finishes it first (reply, timer, cancel, shutdown) delivers the
// callback; everyone else is ignored. A call that holds its resource hands it on exactly once.
class Call final : public ReplySink, public Cancellable, public std::enable_shared_from_this<Call> {
 public:
  Call(AsioBus::Impl& bus, Message message, ReplyCallback callback,
       std::shared_ptr<const RequestHandler> handler)
      : bus_(bus),
        message_(std::move(message)),
        callback_(std::move(callback)),
        handler_(std::move(handler)) {}

  static void start(std::shared_ptr<Call> self, std::chrono::milliseconds timeout) {
    Call& call = *self;
    call.resource_ = call.message_.resourceUuid;
    call.resourceHash_ = std::hash<std::string>{}(call.resource_);
    call.bus_.deadlines.arm(self, std::chrono::steady_clock::now() + timeout);
    if (call.resource_.empty() || call.bus_.queues.acquire(call.resource_, call.resourceHash_, self)) {
      call.bus_.dispatch(std::move(self));
    }
  }

  // On a worker thread.
  void run() {
    if (finished()) return releaseResource();
    handlerThread_.store(std::this_thread::get_id(), std::memory_order_relaxed);
    std::string failure;
    try {
      (*handler_)(std::move(message_), Replier(shared_from_this()));
    } catch (const std::exception& e) {
      failure = fmt::format("handler for '{}' threw: {}", type_, e.what());
    } catch (...) {
      failure = fmt::format("handler for '{}' threw a non-standard exception", type_);
    }
    handlerThread_.store(std::thread::id(), std::memory_order_relaxed);
    handler_.reset();
    if (!failure.empty()) {
      finish(makeError(ErrorCode::kInternal, failure));
    } else if (abandonedInHandler_) {
      finish(makeError(ErrorCode::kInternal,
                       "handler for '" + type_ + "' returned without replying or keeping the Replier"));
    }
  }

  void complete(Reply reply) override { finish(std::move(reply)); }

  void abandon() override {
    // While the handler is on this thread's stack, let run() say whether it threw or returned.
    if (handlerThread_.load(std::memory_order_relaxed) == std::this_thread::get_id()) {
      abandonedInHandler_ = true;
      return;
    }
    finish(makeError(ErrorCode::kInternal, "handler for '" + type_ + "' dropped its Replier"));
  }

  bool finished() const override { return done_.load(std::memory_order_acquire); }

  void cancel() override {
    finish(makeError(ErrorCode::kCancelled, "request '" + type_ + "' was cancelled"));
  }

  void finish(Reply reply) {
    if (done_.exchange(true, std::memory_order_acq_rel)) return;
    auto armed = bus_.deadlines.disarm(this);  // dies after this function, outside the wheel's lock
    releaseResource();
    auto callback = std::move(callback_);
    bus_.runGuarded([&] { callback(std::move(reply)); }, "reply callback");
  }

  // Called by the queues, under their lock, when this call gets its resource.
  void markActive() { active_.store(true, std::memory_order_release); }

  const std::string& type() const { return type_; }

  WheelHook<Call> wheelHook;

 private:
  void releaseResource() {
    if (!active_.load(std::memory_order_acquire) || released_.exchange(true)) return;
    if (auto next = bus_.queues.release(resource_, resourceHash_)) bus_.dispatch(std::move(next));
  }

  AsioBus::Impl& bus_;
  Message message_;
  const std::string type_ = message_.type;
  std::string resource_;
  std::size_t resourceHash_ = 0;
  ReplyCallback callback_;
  std::shared_ptr<const RequestHandler> handler_;
  std::atomic<bool> done_{false};
  std::atomic<bool> active_{false};
  std::atomic<bool> released_{false};
  std::atomic<std::thread::id> handlerThread_{};
  bool abandonedInHandler_ = false;  // only touched by the handler's own thread
};

void AsioBus::Impl::expireDue() {
  for (auto& call : deadlines.expire(std::chrono::steady_clock::now())) {
    call->finish(makeError(ErrorCode::kTimeout, "no reply to '" + call->type() + "' in time"));
  }
}

// Most dispatches happen on a worker (a reply callback issuing the next request, a resource handed
// to its next waiter); defer then queues on that thread without taking the pool's shared lock.
void AsioBus::Impl::dispatch(std::shared_ptr<Call> call) {
  asio::defer(workers, [call = std::move(call)] { call->run(); });
}

AsioBus::AsioBus(Options options) : impl_(std::make_shared<Impl>(options)) {}

AsioBus::~AsioBus() { shutdown(); }

Status AsioBus::registerHandler(std::string type, RequestHandler handler) {
  if (type.empty() || !handler) {
    return makeError(ErrorCode::kInvalidArgument, "a bus handler needs a message type and a function");
  }
  std::unique_lock lock(impl_->handlersMutex);
  auto [it, inserted] = impl_->handlers.try_emplace(type, nullptr);
  if (!inserted) {
    return makeError(ErrorCode::kAlreadyExists, "a handler for '" + type + "' is already registered");
  }
  it->second = std::make_shared<const RequestHandler>(std::move(handler));
  return {};
}

bool AsioBus::hasHandler(const std::string& type) const {
  std::shared_lock lock(impl_->handlersMutex);
  return impl_->handlers.count(type) > 0;
}

RequestHandle AsioBus::request(Message message, ReplyCallback onReply,
                               std::chrono::milliseconds timeout) {
  std::shared_ptr<const RequestHandler> handler;
  {
    std::shared_lock lock(impl_->handlersMutex);
    auto it = impl_->handlers.find(message.type);
    if (it != impl_->handlers.end()) handler = it->second;
  }
  if (impl_->stopping.load(std::memory_order_acquire)) {
    onReply(makeError(ErrorCode::kUnavailable, "the message bus is shutting down"));
    return {};
  }
  if (!handler) {
    auto error = makeError(ErrorCode::kNotFound, "no handler for message type '" + message.type + "'");
    post([onReply = std::move(onReply), error = std::move(error)] { onReply(error); });
    return {};
  }
  auto call = std::make_shared<Call>(*impl_, std::move(message), std::move(onReply),
                                     std::move(handler));
  RequestHandle handle(call);
  Call::start(std::move(call), timeout.count() > 0 ? timeout : impl_->timeout);
  return handle;
}

std::chrono::milliseconds AsioBus::defaultTimeout() const { return impl_->timeout; }

Subscription AsioBus::subscribe(std::string eventType, EventHandler handler) {
  std::lock_guard lock(impl_->subscribersMutex);
  auto id = impl_->nextSubscriberId++;
  impl_->subscribers[eventType].push_back(
      {id, std::make_shared<const EventHandler>(std::move(handler))});
  return Subscription([weak = std::weak_ptr<Impl>(impl_), eventType, id] {
    auto impl = weak.lock();
    if (!impl) return;
    std::lock_guard lock(impl->subscribersMutex);
    auto& list = impl->subscribers[eventType];
    std::erase_if(list, [id](const Impl::Subscriber& s) { return s.id == id; });
  });
}

void AsioBus::publish(Message event) {
  std::vector<std::shared_ptr<const EventHandler>> targets;
  {
    std::lock_guard lock(impl_->subscribersMutex);
    auto it = impl_->subscribers.find(event.type);
    if (it == impl_->subscribers.end()) return;
    for (const auto& s : it->second) targets.push_back(s.handler);
  }
  auto shared = std::make_shared<const Message>(std::move(event));
  for (auto& handler : targets) {
    asio::post(impl_->workers, [impl = impl_.get(), handler = std::move(handler), shared] {
      impl->runGuarded([&] { (*handler)(*shared); }, "event handler");
    });
  }
}

void AsioBus::post(std::function<void()> work) {
  asio::post(impl_->workers, [impl = impl_.get(), work = std::move(work)] {
    impl->runGuarded(work, "posted work");
  });
}

void AsioBus::postBlocking(std::function<void()> work) {
  impl_->blocking.post(
      [impl = impl_.get(), work = std::move(work)] { impl->runGuarded(work, "blocking work"); });
}

void AsioBus::shutdown() {
  if (impl_->stopping.exchange(true)) return;
  asio::post(impl_->workers, [impl = impl_.get()] { impl->sweepTimer.cancel(); });
  for (auto& call : impl_->deadlines.drain()) {
    call->finish(makeError(ErrorCode::kUnavailable, "the message bus shut down before '" +
                                                        call->type() + "' was answered"));
  }
  impl_->blocking.stop();  // work already running finishes; queued work is dropped
  impl_->blocking.join();
  impl_->workers.stop();
  impl_->workers.join();
}

std::size_t AsioBus::busyResources() const { return impl_->queues.size(); }

}  // namespace strato::kernel
