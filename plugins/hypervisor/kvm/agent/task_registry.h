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
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <strato/bus.h>

#include "agent_client/agent_client.h"

namespace strato::kvm {

class TaskRegistry {
 public:
  // A long command that has not ended after `answerWithin` is answered {"taskAccepted"} and
  // called back later; one that ends sooner is answered with its reply, like a short one. So the
  // many quick commands cost one request, and no slow one holds a connection open. `callBack`
  // false drops every callback, for tests of managers that must poll instead.
  TaskRegistry(std::chrono::seconds keep, std::chrono::milliseconds answerWithin, bool callBack);
  ~TaskRegistry();
  TaskRegistry(const TaskRegistry&) = delete;
  TaskRegistry& operator=(const TaskRegistry&) = delete;

  // Blocks until the task's reply exists, running `work` only if nobody ran it yet.
  Reply run(const std::string& taskUuid, const std::function<Reply()>& work);

  // Where a long command's reply goes: a management node's address and its callback type.
  struct Callback {
    agent::Address address;
    std::string type;
  };
  static Result<Callback> callbackFrom(const Json& body);
  // A long command. `work` runs once per uuid, through `runBlocking`; `reply` gets its reply if it
  // ends within answerWithin, else {"taskAccepted": uuid} then, and `callback` the reply later.
  // A repeat of a running task is accepted at once (and called back too); of an ended one,
  // answered with its reply.
  void accept(const std::string& taskUuid, Callback callback, std::function<Reply()> work,
              const std::function<void(std::function<void()>)>& runBlocking, Replier reply);
  // {"state": "Running"} or {"state": "Done", "reply": replyToJson(...)}; kNotFound when the
  // agent never ran the task or forgot it.
  Reply describe(const std::string& taskUuid);
  // Ends the thread that answers {"taskAccepted"}; the node calls it when it stops.
  void stop();

 private:
  struct Entry {
    bool done = false;
    Reply reply = Json();
    std::chrono::steady_clock::time_point finished;
    std::condition_variable cv;
    std::vector<Callback> callbacks;  // of requests answered {"taskAccepted"}
    // The first request of a long command, while it waits for the reply or for answerWithin.
    std::shared_ptr<Replier> first;
    Callback firstCallback;
  };
  void pruneLocked();
  // Records the reply and wakes the waiters; tells whoever waits for it.
  void finish(const std::string& taskUuid, Entry& entry, Reply reply);
  // The first requests still unanswered at their deadline are answered {"taskAccepted"}.
  void answerLate();

  std::chrono::seconds keep_;
  std::chrono::milliseconds answerWithin_;
  bool callBack_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<Entry>> tasks_;
  std::multimap<std::chrono::steady_clock::time_point, std::pair<std::string, std::weak_ptr<Entry>>>
      deadlines_;
  bool stopping_ = false;
  std::condition_variable deadlineAdded_;
  std::thread answerer_;
};

}  // namespace strato::kvm
