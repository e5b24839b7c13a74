#include "strato/flow.h"

#include <gtest/gtest.h>

#include <future>
#include <thread>

namespace strato {
namespace {

// Runs the chain and waits for its outcome.
FlowOutcome runChain(const std::shared_ptr<FlowChain>& chain) {
  std::promise<FlowOutcome> outcome;
  chain->start([&](FlowOutcome o) { outcome.set_value(std::move(o)); });
  auto future = outcome.get_future();
  EXPECT_EQ(future.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  return future.get();
}

Status fail(const std::string& why) { return makeError(ErrorCode::kUnavailable, why); }

TEST(FlowChain, RunsEveryStepInOrderWhenAllSucceed) {
  std::vector<std::string> log;
  auto chain = FlowChain::create("ok");
  for (std::string name : {"a", "b", "c"}) {
    chain->thenSync(name, [&, name] { log.push_back(name); return okStatus(); },
                    [&, name] { log.push_back("undo " + name); });
  }
  FlowOutcome o = runChain(chain);
  EXPECT_TRUE(o.result.ok());
  EXPECT_TRUE(o.failedStep.empty());
  EXPECT_EQ(log, (std::vector<std::string>{"a", "b", "c"}));
}

TEST(FlowChain, FailureUndoesCompletedStepsInReverseOrder) {
  std::vector<std::string> log;
  auto chain = FlowChain::create("create-vm");
  chain->thenSync("host", [&] { log.push_back("host"); return okStatus(); },
                  [&] { log.push_back("undo host"); })
      .thenSync("volume", [&] { log.push_back("volume"); return okStatus(); },
                [&] { log.push_back("undo volume"); })
      .thenSync("start", [&] { log.push_back("start"); return fail("hypervisor said no"); },
                [&] { log.push_back("undo start"); })
      .thenSync("never", [&] { log.push_back("never"); return okStatus(); });
  FlowOutcome o = runChain(chain);
  ASSERT_FALSE(o.result.ok());
  EXPECT_EQ(o.result.error().message, "hypervisor said no");
  EXPECT_EQ(o.failedStep, "start");
  EXPECT_EQ(log, (std::vector<std::string>{"host", "volume", "start", "undo volume", "undo host"}));
  EXPECT_EQ(o.rolledBack, (std::vector<std::string>{"volume", "host"}));
  EXPECT_TRUE(o.rollbackErrors.empty());
}

TEST(FlowChain, FailedUndoIsRecordedAndTheRestStillUndone) {
  std::vector<std::string> log;
  auto chain = FlowChain::create("x");
  chain->thenSync("one", [] { return okStatus(); }, [&] { log.push_back("undo one"); })
      .then("two", [](FlowDone done) { done(okStatus()); },
            [](FlowDone done) { done(makeError(ErrorCode::kInternal, "cannot undo two")); })
      .then("three", [](FlowDone done) { done(fail("three failed")); });
  FlowOutcome o = runChain(chain);
  EXPECT_EQ(o.failedStep, "three");
  ASSERT_EQ(o.rollbackErrors.size(), 1u);
  EXPECT_EQ(o.rollbackErrors[0].message, "cannot undo two");
  EXPECT_EQ(log, (std::vector<std::string>{"undo one"}));
}

TEST(FlowChain, ThrowingStepCountsAsFailure) {
  bool undone = false;
  auto chain = FlowChain::create("x");
  chain->thenSync("ok", [] { return okStatus(); }, [&] { undone = true; })
      .then("throws", [](FlowDone) { throw std::runtime_error("kaboom"); });
  FlowOutcome o = runChain(chain);
  ASSERT_FALSE(o.result.ok());
  EXPECT_EQ(o.failedStep, "throws");
  EXPECT_NE(o.result.error().details.find("kaboom"), std::string::npos);
  EXPECT_TRUE(undone);
}

TEST(FlowChain, StepsMayFinishOnOtherThreadsAndOnlyTheFirstReportCounts) {
  std::vector<std::thread> threads;
  int secondRuns = 0;
  auto chain = FlowChain::create("async");
  chain->then("remote", [&](FlowDone done) {
         threads.emplace_back([done] {
           done(okStatus());
           done(fail("a second report must be ignored"));
         });
       })
      .thenSync("local", [&] { ++secondRuns; return okStatus(); });
  FlowOutcome o = runChain(chain);
  for (auto& t : threads) t.join();
  EXPECT_TRUE(o.result.ok());
  EXPECT_EQ(secondRuns, 1);
}

TEST(FlowChain, EmptyChainSucceeds) {
  EXPECT_TRUE(runChain(FlowChain::create("empty")).result.ok());
}

}  // namespace
}  // namespace strato
