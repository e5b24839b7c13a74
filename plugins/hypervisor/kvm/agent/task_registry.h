// The agent's running and recent commands by task uuid. A command repeated with the same task
// uuid (the management node retrying after a lost reply, or another management node taking over)
// does not run twice: it waits for the first run and gets its reply. Replies are kept for
// `keep` after they finish; GetTask reads them. In memory: a restarted agent's commands died
// with it, and the management node's retry then runs them afresh, which is safe since every
// command is idempotent.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include <strato/bus.h>

namespace strato::kvm {

class TaskRegistry {
 public:
  explicit TaskRegistry(std::chrono::seconds keep) : keep_(keep) {}

  // Blocks until the task's reply exists, running `work` only if nobody ran it yet.
  Reply run(const std::string& taskUuid, const std::function<Reply()>& work);
  // {"state": "Running"} or {"state": "Done", "reply": replyToJson(...)}; kNotFound when the
  // agent never ran the task or forgot it.
  Reply describe(const std::string& taskUuid);

 private:
  struct Entry {
    bool done = false;
    Reply reply = Json();
    std::chrono::steady_clock::time_point finished;
    std::condition_variable cv;
  };
  void pruneLocked();

  std::chrono::seconds keep_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<Entry>> tasks_;
};

}  // namespace strato::kvm
