// The blocking pool grows while every thread is busy, so blocking work that waits for other
// blocking work cannot starve it, and shrinks back once the rush is over.
#include "bus/elastic_pool.h"

#include <gtest/gtest.h>

#include <future>
#include <mutex>
#include <set>
#include <thread>

#include "bus/asio_bus.h"

namespace strato::kernel {
namespace {

using namespace std::chrono_literals;

TEST(ElasticPool, GrowsWhileAllAreBusyUpToItsMaximumAndShrinksBack) {
  ElasticPool pool(2, 5, 100ms);
  EXPECT_EQ(pool.threads(), 2u);
  std::promise<void> release;
  auto gate = release.get_future().share();
  std::mutex mutex;
  std::set<std::thread::id> ran;
  std::atomic<int> done{0};
  for (int i = 0; i < 8; ++i) {
    pool.post([&, gate] {
      {
        std::lock_guard lock(mutex);
        ran.insert(std::this_thread::get_id());
      }
      gate.wait();
      ++done;
    });
  }
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(pool.threads(), 5u);  // no more than the maximum, however much waits
  {
    std::lock_guard lock(mutex);
    EXPECT_EQ(ran.size(), 5u);
  }
  release.set_value();
  for (int i = 0; i < 100 && done < 8; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(done.load(), 8);
  for (int i = 0; i < 100 && pool.threads() > 2; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(pool.threads(), 2u);
}

TEST(ElasticPool, StopDropsQueuedJobsAndJoinWaitsForRunningOnes) {
  ElasticPool pool(1, 1, 1s);
  std::promise<void> started, release;
  auto gate = release.get_future().share();
  std::atomic<int> ran{0};
  pool.post([&, gate] {
    started.set_value();
    gate.wait();
    ++ran;
  });
  pool.post([&] { ++ran; });  // queued behind the first: the pool may not grow
  started.get_future().wait();
  pool.stop();
  release.set_value();
  pool.join();
  EXPECT_EQ(ran.load(), 1);
  EXPECT_EQ(pool.threads(), 0u);
}

// What starved the fixed pool: 16 VM creations each waiting on the bus for a blocking handler.
TEST(AsioBus, BlockingWorkWaitingForBlockingHandlersDoesNotStarve) {
  AsioBus bus({2, 2, 5000ms, 64});
  ASSERT_TRUE(bus.registerHandler("t.Inner", blockingHandler(bus, [](const Message&) -> Reply {
                   return Json{{"ok", true}};
                 })).ok());
  std::vector<std::future<Reply>> outer;
  for (int i = 0; i < 16; ++i) {
    auto done = std::make_shared<std::promise<Reply>>();
    outer.push_back(done->get_future());
    bus.postBlocking([&bus, done] { done->set_value(call(bus, {"t.Inner", "", Json::object()}, 2s)); });
  }
  for (auto& f : outer) {
    ASSERT_EQ(f.wait_for(5s), std::future_status::ready);
    EXPECT_TRUE(f.get().ok());
  }
  bus.shutdown();
}

}  // namespace
}  // namespace strato::kernel
