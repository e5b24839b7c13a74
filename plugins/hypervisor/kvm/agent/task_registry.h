// The agent's running and recent commands by task uuid. A command repeated with the same task
// uuid (the management node retrying after a lost reply, or another management node taking over)
// does not run twice: it waits for the first run and gets its reply, or for a long command (one
// with a callback, agent_client/task_calls.h) is accepted again and called back too. Replies are
// kept for `keep` after they finish; GetTask reads them. In memory: a restarted agent's commands
// died with it, and the management node's retry then runs them afresh, which is safe since every
// command is idempotent.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <strato/bus.h>

#include "agent_client/agent_client.h"

namespace strato::kvm {

class TaskRegistry {
 public:
  // `callBack` false drops every callback, for tests of managers that must poll instead.
  TaskRegistry(std::chrono::seconds keep, bool callBack) : keep_(keep), callBack_(callBack) {}

  // Blocks until the task's reply exists, running `work` only if nobody ran it yet.
  Reply run(const std::string& taskUuid, const std::function<Reply()>& work);

  // Where a long command's reply goes: a management node's address and its callback type.
  struct Callback {
    agent::Address address;
    std::string type;
  };
  static Result<Callback> callbackFrom(const Json& body);
  // A long command: answers at once, {"taskAccepted": uuid}, or the reply itself when the task
  // has ended already. `work` runs once per uuid, through `runBlocking`; its reply goes to every
  // callback the task was accepted with.
  Reply accept(const std::string& taskUuid, Callback callback, std::function<Reply()> work,
               const std::function<void(std::function<void()>)>& runBlocking);
  // {"state": "Running"} or {"state": "Done", "reply": replyToJson(...)}; kNotFound when the
  // agent never ran the task or forgot it.
  Reply describe(const std::string& taskUuid);

 private:
  struct Entry {
    bool done = false;
    Reply reply = Json();
    std::chrono::steady_clock::time_point finished;
    std::condition_variable cv;
    std::vector<Callback> callbacks;
  };
  void pruneLocked();
  // Records the reply and wakes the waiters; the callbacks still to be told.
  std::vector<Callback> finish(Entry& entry, Reply reply);

  std::chrono::seconds keep_;
  bool callBack_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<Entry>> tasks_;
};

}  // namespace strato::kvm
