// Flow chains: a multi-step operation whose completed steps are undone in reverse order when a
// later step fails.
//
//   auto chain = FlowChain::create("create-vm");
//   chain->then("allocate-host", runFn, rollbackFn)
//         .thenSync("write-db", [&] { return saveRow(); }, [&] { deleteRow(); });
//   chain->start([](FlowOutcome outcome) { ... });
//
// A step reports through its FlowDone exactly once, from any thread (extra calls are ignored).
// The step that failed is not rolled back: it is expected to leave nothing behind. A rollback
// that fails is recorded and the rollback goes on with the steps before it. `start` may be
// called once; the chain keeps itself alive until the outcome is delivered.
#pragma once

#include <atomic>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "strato/result.h"

namespace strato {

using FlowDone = std::function<void(Status)>;
using FlowAction = std::function<void(FlowDone done)>;

struct FlowOutcome {
  Status result;                        // the failing step's error, or success
  std::string failedStep;               // empty on success
  std::vector<std::string> rolledBack;  // steps undone, in the order they were undone
  std::vector<Error> rollbackErrors;    // undo steps that failed themselves
};

class FlowChain : public std::enable_shared_from_this<FlowChain> {
 public:
  static std::shared_ptr<FlowChain> create(std::string name) {
    return std::shared_ptr<FlowChain>(new FlowChain(std::move(name)));
  }

  const std::string& name() const { return name_; }

  FlowChain& then(std::string stepName, FlowAction run, FlowAction rollback = {}) {
    steps_.push_back(Step{std::move(stepName), std::move(run), std::move(rollback)});
    return *this;
  }

  FlowChain& thenSync(std::string stepName, std::function<Status()> run,
                      std::function<void()> rollback = {}) {
    FlowAction undo;
    if (rollback) {
      undo = [rollback = std::move(rollback)](FlowDone done) {
        rollback();
        done(okStatus());
      };
    }
    return then(std::move(stepName),
                [run = std::move(run)](FlowDone done) { done(run()); }, std::move(undo));
  }

  void start(std::function<void(FlowOutcome)> onFinish) {
    onFinish_ = std::move(onFinish);
    runStep(0);
  }

 private:
  struct Step {
    std::string name;
    FlowAction run;
    FlowAction rollback;
  };

  explicit FlowChain(std::string name) : name_(std::move(name)) {}

  // Wraps `next` so that only the first report counts and the chain stays alive meanwhile.
  FlowDone once(std::function<void(Status)> next) {
    auto fired = std::make_shared<std::atomic<bool>>(false);
    return [self = shared_from_this(), fired, next = std::move(next)](Status s) {
      if (!fired->exchange(true)) next(std::move(s));
    };
  }

  static void invoke(const FlowAction& action, const FlowDone& done, const std::string& step) {
    try {
      action(done);
    } catch (const std::exception& e) {
      done(makeError(ErrorCode::kInternal, "flow step '" + step + "' threw", e.what()));
    } catch (...) {
      done(makeError(ErrorCode::kInternal, "flow step '" + step + "' threw"));
    }
  }

  void runStep(std::size_t index) {
    if (index == steps_.size()) return finish();
    invoke(steps_[index].run, once([this, index](Status s) {
             if (s.ok()) return runStep(index + 1);
             outcome_.result = s.error();
             outcome_.failedStep = steps_[index].name;
             rollbackStep(index);  // undo the steps before the failed one
           }),
           steps_[index].name);
  }

  // Undoes steps [0, end) from the last to the first.
  void rollbackStep(std::size_t end) {
    if (end == 0) return finish();
    const Step& step = steps_[end - 1];
    if (!step.rollback) return rollbackStep(end - 1);
    invoke(step.rollback, once([this, end](Status s) {
             outcome_.rolledBack.push_back(steps_[end - 1].name);
             if (!s.ok()) outcome_.rollbackErrors.push_back(s.error());
             rollbackStep(end - 1);
           }),
           step.name);
  }

  void finish() {
    if (auto done = std::exchange(onFinish_, {})) done(std::move(outcome_));
  }

  std::string name_;
  std::vector<Step> steps_;
  FlowOutcome outcome_;
  std::function<void(FlowOutcome)> onFinish_;
};

}  // namespace strato
