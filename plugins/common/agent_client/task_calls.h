// Long commands to an agent. The caller's thread waits as with agent::call, but no HTTP request
// stays open for long: the agent answers within a short window (plugin.kvm-agent.answerWithinMs),
// with the reply if the work has ended by then, else with "accepted", and posts the reply back
// when the work ends (the protocol is below). A callback that never comes (it was lost, or this node was busy)
// costs only a poll of the agent's task registry, so a command that outlives a connection blip
// still gets its reply, and a command whose agent died is reported as soon as a poll finds it
// gone. Blocking: call() from the blocking pool.
//
// The protocol, on top of agent::call:
//   request body + "taskUuid", "callback": {"host", "port", "type"}
//   -> {"taskAccepted": taskUuid}   the agent still runs it (a first run or a repeat);
//   -> anything else                the reply itself (it ended within the window, or before).
//   After "accepted" the agent posts callback.type {"taskUuid", "reply": replyToJson(reply)} to
//   callback's address, once; kvm::kGetTask reads the reply for as long as the agent keeps it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "agent_client.h"

namespace strato::agent {

inline constexpr std::string_view kTaskAcceptedKey = "taskAccepted";

// Whether `host` is a wildcard ("0.0.0.0", "::", "[::]"): where a node listens, never where it
// is reached. Callbacks are never sent to one.
bool isWildcardHost(const std::string& host);

class TaskCalls {
 public:
  // `callbackType` is a "remote." type that this plugin alone handles with handler(): each plugin
  // that waits for agents registers its own, since bus handlers are per plugin. A waiter asks the
  // agent itself after `pollEvery` without news.
  TaskCalls(MessageBus& bus, std::string callbackType,
            std::chrono::milliseconds pollEvery = std::chrono::seconds(2));

  const std::string& callbackType() const { return callbackType_; }
  // For callbackType: {"taskUuid", "reply"} -> {}; a task nobody waits for any more is ignored.
  RequestHandler handler();

  // Sends `message` (given a taskUuid when it has none) to `peer` and waits for its reply, at most
  // `timeout` in all. The errors are agent::call's.
  Reply call(const Address& peer, Message message, std::chrono::milliseconds timeout);

 private:
  struct Waiter {
    std::optional<Reply> reply;
    std::condition_variable arrived;
  };
  // Where `peer` calls back: this node's own address, asked of the kernel once. A node listening
  // on every address (0.0.0.0) gives the one it reaches `peer` from.
  Result<Json> callbackTarget(const Address& peer);
  void deliver(const std::string& taskUuid, Reply reply);
  Reply waitFor(const Address& peer, const Message& message, std::shared_ptr<Waiter> waiter,
                std::chrono::steady_clock::time_point deadline);

  MessageBus& bus_;
  std::string callbackType_;
  std::chrono::milliseconds pollEvery_;
  std::mutex mutex_;
  std::optional<Json> self_;
  std::unordered_map<std::string, std::shared_ptr<Waiter>> waiting_;
};

}  // namespace strato::agent
