#include "bus/asio_bus.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <set>
#include <thread>

namespace strato::kernel {
namespace {

using namespace std::chrono_literals;

AsioBus::Options options(unsigned workers = 2) { return {workers, 4, 5000ms}; }

Message msg(std::string type, std::string resource = {}, Json body = {}) {
  return Message{std::move(type), std::move(resource), std::move(body)};
}

// Replies kept for later, so tests decide when (or whether) a handler answers.
struct HeldReplies {
  std::mutex mutex;
  std::condition_variable arrived;
  std::vector<Replier> replies;

  void hold(Replier r) {
    std::lock_guard lock(mutex);
    replies.push_back(std::move(r));
    arrived.notify_all();
  }
  bool waitFor(std::size_t n, std::chrono::milliseconds timeout = 5s) {
    std::unique_lock lock(mutex);
    return arrived.wait_for(lock, timeout, [&] { return replies.size() >= n; });
  }
  Replier take(std::size_t i) {
    std::lock_guard lock(mutex);
    return std::move(replies.at(i));
  }
};

TEST(AsioBus, RequestGetsTheHandlersReply) {
  AsioBus bus(options());
  ASSERT_TRUE(bus.registerHandler("t.Echo", [](Message m, Replier reply) {
    reply(Json{{"echo", m.body}, {"resource", m.resourceUuid}});
  }).ok());
  Reply r = call(bus, msg("t.Echo", "r1", {{"x", 1}}), 1s);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(r.value()["echo"]["x"], 1);
  EXPECT_EQ(r.value()["resource"], "r1");
}

TEST(AsioBus, UnknownTypeFailsWithNotFound) {
  AsioBus bus(options());
  Reply r = call(bus, msg("t.Nobody"), 1s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_NE(r.error().message.find("t.Nobody"), std::string::npos);
}

TEST(AsioBus, SecondHandlerForATypeIsRefused) {
  AsioBus bus(options());
  auto h = [](Message, Replier reply) { reply(Json()); };
  ASSERT_TRUE(bus.registerHandler("t.Once", h).ok());
  Status again = bus.registerHandler("t.Once", h);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
}

TEST(AsioBus, SilentHandlerTimesOutAndLateReplyIsIgnored) {
  AsioBus bus(options());
  HeldReplies held;
  ASSERT_TRUE(bus.registerHandler("t.Slow", [&](Message, Replier r) { held.hold(std::move(r)); }).ok());
  std::atomic<int> callbacks{0};
  std::promise<Reply> first;
  auto start = std::chrono::steady_clock::now();
  bus.request(msg("t.Slow"), [&](Reply r) {
    if (callbacks++ == 0) first.set_value(std::move(r));
  }, 100ms);
  Reply r = first.get_future().get();
  auto waited = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kTimeout);
  EXPECT_GE(waited, 100ms);
  ASSERT_TRUE(held.waitFor(1));
  Replier late = held.take(0);
  EXPECT_TRUE(late.cancelled());
  late(Json("too late"));
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(callbacks.load(), 1);
}

TEST(AsioBus, CancelCompletesWithCancelledAndTellsTheHandler) {
  AsioBus bus(options());
  HeldReplies held;
  ASSERT_TRUE(bus.registerHandler("t.Hold", [&](Message, Replier r) { held.hold(std::move(r)); }).ok());
  std::promise<Reply> done;
  RequestHandle handle = bus.request(msg("t.Hold"), [&](Reply r) { done.set_value(std::move(r)); }, 5s);
  ASSERT_TRUE(held.waitFor(1));
  handle.cancel();
  Reply r = done.get_future().get();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kCancelled);
  EXPECT_TRUE(held.take(0).cancelled());
}

TEST(AsioBus, CancelledRequestWaitingForItsResourceNeverRuns) {
  AsioBus bus(options());
  HeldReplies held;
  std::atomic<int> runs{0};
  ASSERT_TRUE(bus.registerHandler("t.Hold", [&](Message, Replier r) {
    ++runs;
    held.hold(std::move(r));
  }).ok());
  std::promise<Reply> firstDone, secondDone;
  bus.request(msg("t.Hold", "vm-1"), [&](Reply r) { firstDone.set_value(std::move(r)); }, 5s);
  ASSERT_TRUE(held.waitFor(1));
  auto second = bus.request(msg("t.Hold", "vm-1"), [&](Reply r) { secondDone.set_value(std::move(r)); }, 5s);
  second.cancel();
  EXPECT_EQ(secondDone.get_future().get().error().code, ErrorCode::kCancelled);
  held.take(0)(Json("first"));
  EXPECT_TRUE(firstDone.get_future().get().ok());
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(runs.load(), 1);
  EXPECT_EQ(bus.busyResources(), 0u);
}

// Requests for one resource run one at a time in arrival order, even when handlers reply later
// from another thread.
TEST(AsioBus, RequestsForOneResourceRunOneAtATimeInOrder) {
  AsioBus bus(options(4));
  std::mutex mutex;
  std::vector<int> order;
  std::atomic<int> inFlight{0}, maxInFlight{0};
  ASSERT_TRUE(bus.registerHandler("t.Step", [&](Message m, Replier reply) {
    int now = ++inFlight;
    int seen = maxInFlight.load();
    while (now > seen && !maxInFlight.compare_exchange_weak(seen, now)) {
    }
    {
      std::lock_guard lock(mutex);
      order.push_back(m.body.get<int>());
    }
    bus.post([&, reply = std::make_shared<Replier>(std::move(reply))]() mutable {
      --inFlight;
      (*reply)(Json());
    });
  }).ok());
  constexpr int kCount = 2000;
  std::atomic<int> completed{0};
  std::promise<void> all;
  for (int i = 0; i < kCount; ++i) {
    bus.request(msg("t.Step", "host-7", i), [&](Reply r) {
      EXPECT_TRUE(r.ok());
      if (++completed == kCount) all.set_value();
    }, 10s);
  }
  ASSERT_EQ(all.get_future().wait_for(20s), std::future_status::ready);
  EXPECT_EQ(maxInFlight.load(), 1);
  ASSERT_EQ(order.size(), static_cast<std::size_t>(kCount));
  for (int i = 0; i < kCount; ++i) ASSERT_EQ(order[i], i);
  EXPECT_EQ(bus.busyResources(), 0u);
}

TEST(AsioBus, DifferentResourcesDoNotWaitForEachOther) {
  AsioBus bus(options());
  HeldReplies held;
  ASSERT_TRUE(bus.registerHandler("t.Hold", [&](Message, Replier r) { held.hold(std::move(r)); }).ok());
  ASSERT_TRUE(bus.registerHandler("t.Quick", [](Message, Replier r) { r(Json("quick")); }).ok());
  std::promise<Reply> slow;
  bus.request(msg("t.Hold", "vm-a"), [&](Reply r) { slow.set_value(std::move(r)); }, 5s);
  ASSERT_TRUE(held.waitFor(1));
  // vm-a is busy; vm-b and resource-less requests go ahead.
  EXPECT_TRUE(call(bus, msg("t.Quick", "vm-b"), 1s).ok());
  EXPECT_TRUE(call(bus, msg("t.Quick"), 1s).ok());
  EXPECT_EQ(bus.busyResources(), 1u);
  held.take(0)(Json("done"));
  EXPECT_TRUE(slow.get_future().get().ok());
}

// Many requests without a resource: handlers must overlap on the worker threads.
TEST(AsioBus, IndependentRequestsRunInParallel) {
  AsioBus bus(options(2));
  std::atomic<int> inside{0};
  std::atomic<bool> overlapped{false};
  ASSERT_TRUE(bus.registerHandler("t.Busy", [&](Message, Replier reply) {
    if (++inside > 1) overlapped = true;
    auto until = std::chrono::steady_clock::now() + 20ms;
    while (std::chrono::steady_clock::now() < until && !overlapped) {
    }
    --inside;
    reply(Json());
  }).ok());
  std::vector<std::future<Reply>> replies;
  for (int i = 0; i < 8; ++i) {
    replies.push_back(std::async(std::launch::async, [&, i] {
      return call(bus, msg("t.Busy", "res-" + std::to_string(i)), 5s);
    }));
  }
  for (auto& f : replies) EXPECT_TRUE(f.get().ok());
  EXPECT_TRUE(overlapped.load());
}

TEST(AsioBus, TimedOutHolderHandsTheResourceOn) {
  AsioBus bus(options());
  HeldReplies held;
  ASSERT_TRUE(bus.registerHandler("t.Hold", [&](Message, Replier r) { held.hold(std::move(r)); }).ok());
  ASSERT_TRUE(bus.registerHandler("t.Quick", [](Message, Replier r) { r(Json("next")); }).ok());
  bus.request(msg("t.Hold", "vm-x"), [](Reply) {}, 50ms);
  Reply next = call(bus, msg("t.Quick", "vm-x"), 2s);
  ASSERT_TRUE(next.ok()) << next.error().describe();
  EXPECT_EQ(next.value(), "next");
}

TEST(AsioBus, HandlerThatThrowsGivesAnInternalError) {
  AsioBus bus(options());
  ASSERT_TRUE(bus.registerHandler("t.Throw", [](Message, Replier) {
    throw std::runtime_error("disk on fire");
  }).ok());
  Reply r = call(bus, msg("t.Throw"), 1s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInternal);
  EXPECT_NE(r.error().message.find("disk on fire"), std::string::npos);
}

TEST(AsioBus, HandlerThatForgetsToReplyGivesAnInternalError) {
  AsioBus bus(options());
  ASSERT_TRUE(bus.registerHandler("t.Forget", [](Message, Replier) {}).ok());
  Reply r = call(bus, msg("t.Forget"), 1s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInternal);
  EXPECT_NE(r.error().message.find("without replying"), std::string::npos);
}

TEST(AsioBus, EventsReachEverySubscriberUntilUnsubscribed) {
  AsioBus bus(options());
  std::atomic<int> a{0}, b{0};
  std::promise<void> bothGotFirst;
  std::atomic<int> firstCount{0};
  auto subA = bus.subscribe("t.Happened", [&](const Message& e) {
    a += e.body.get<int>();
    if (++firstCount == 2) bothGotFirst.set_value();
  });
  auto subB = bus.subscribe("t.Happened", [&](const Message& e) {
    b += e.body.get<int>();
    if (++firstCount == 2) bothGotFirst.set_value();
  });
  bus.publish(msg("t.Happened", "", 5));
  ASSERT_EQ(bothGotFirst.get_future().wait_for(2s), std::future_status::ready);
  subB.reset();
  std::promise<void> second;
  auto subC = bus.subscribe("t.Happened", [&](const Message&) { second.set_value(); });
  bus.publish(msg("t.Happened", "", 1));
  ASSERT_EQ(second.get_future().wait_for(2s), std::future_status::ready);
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(a.load(), 6);
  EXPECT_EQ(b.load(), 5);
}

TEST(AsioBus, BlockingWorkDoesNotStarveHandlers) {
  AsioBus bus({2, 2, 5000ms});
  std::promise<void> release;
  auto gate = release.get_future().share();
  std::set<std::thread::id> blockingThreads;
  std::mutex mutex;
  for (int i = 0; i < 4; ++i) {
    bus.postBlocking([&, gate] {
      {
        std::lock_guard lock(mutex);
        blockingThreads.insert(std::this_thread::get_id());
      }
      gate.wait();
    });
  }
  std::thread::id handlerThread;
  ASSERT_TRUE(bus.registerHandler("t.Where", [&](Message, Replier r) {
    handlerThread = std::this_thread::get_id();
    r(Json());
  }).ok());
  EXPECT_TRUE(call(bus, msg("t.Where"), 1s).ok());
  release.set_value();
  bus.shutdown();
  EXPECT_EQ(blockingThreads.count(handlerThread), 0u);
}

TEST(AsioBus, ShutdownFailsPendingRequestsAndRefusesNewOnes) {
  AsioBus bus(options());
  HeldReplies held;
  ASSERT_TRUE(bus.registerHandler("t.Hold", [&](Message, Replier r) { held.hold(std::move(r)); }).ok());
  std::promise<Reply> pending;
  bus.request(msg("t.Hold", "vm-1"), [&](Reply r) { pending.set_value(std::move(r)); }, 10s);
  ASSERT_TRUE(held.waitFor(1));
  bus.shutdown();
  EXPECT_EQ(pending.get_future().get().error().code, ErrorCode::kUnavailable);
  Reply after = call(bus, msg("t.Hold"), 1s);
  EXPECT_EQ(after.error().code, ErrorCode::kUnavailable);
}

TEST(BusJson, MessageRoundTripsThroughJson) {
  Message m = msg("vm.Start", "9f1c", {{"hostUuid", "h1"}, {"n", 3}});
  auto back = Message::fromJson(Json::parse(m.toJson().dump()));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->type, "vm.Start");
  EXPECT_EQ(back->resourceUuid, "9f1c");
  EXPECT_EQ(back->body, m.body);
}

TEST(BusJson, MalformedMessageJsonIsRejected) {
  EXPECT_FALSE(Message::fromJson(Json::array()).ok());
  EXPECT_FALSE(Message::fromJson(Json{{"type", ""}}).ok());
  EXPECT_FALSE(Message::fromJson(Json{{"type", 5}}).ok());
  EXPECT_FALSE(Message::fromJson(Json{{"type", "a"}, {"resourceUuid", 1}}).ok());
}

TEST(BusJson, RepliesRoundTripThroughJson) {
  Reply ok = Json{{"uuid", "u1"}};
  auto okBack = replyFromJson(replyToJson(ok));
  ASSERT_TRUE(okBack.ok());
  EXPECT_EQ(okBack.value()["uuid"], "u1");

  Reply failed = makeError(ErrorCode::kConflict, "vm is running", "state=Running");
  auto failedBack = replyFromJson(Json::parse(replyToJson(failed).dump()));
  ASSERT_FALSE(failedBack.ok());
  EXPECT_EQ(failedBack.error().code, ErrorCode::kConflict);
  EXPECT_EQ(failedBack.error().message, "vm is running");
  EXPECT_EQ(failedBack.error().details, "state=Running");
  EXPECT_FALSE(replyFromJson(Json{{"body", 1}}).ok());
}

}  // namespace
}  // namespace strato::kernel
