#include "task_calls.h"

#include <algorithm>

#include <strato/node.h>
#include <strato/remote.h>
#include <strato/uuid.h>

#include "kvm_protocol.h"

namespace strato::agent {
namespace {

using Clock = std::chrono::steady_clock;

// How long the agent may take to accept (or answer) a command; the work itself has the rest.
constexpr std::chrono::milliseconds kAcceptTimeout = std::chrono::seconds(30);

std::chrono::milliseconds left(Clock::time_point deadline) {
  return std::max(std::chrono::milliseconds(1),
                  std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
}

}  // namespace

TaskCalls::TaskCalls(MessageBus& bus, std::string callbackType, std::chrono::milliseconds pollEvery)
    : bus_(bus), callbackType_(std::move(callbackType)), pollEvery_(pollEvery) {}

RequestHandler TaskCalls::handler() {
  return [this](Message m, Replier reply) {
    const Json& answer = m.body.value("reply", Json());
    if (answer.is_object()) deliver(m.body.value("taskUuid", std::string()), replyFromJson(answer));
    reply(Json::object());
  };
}

void TaskCalls::deliver(const std::string& taskUuid, Reply reply) {
  std::lock_guard lock(mutex_);
  auto it = waiting_.find(taskUuid);
  if (it == waiting_.end() || it->second->reply) return;
  it->second->reply = std::move(reply);
  it->second->arrived.notify_all();
}

Result<Json> TaskCalls::callbackTarget() {
  {
    std::lock_guard lock(mutex_);
    if (self_) return *self_;
  }
  auto me = strato::call(bus_, Message{std::string(kNodeAddressMessage), "", Json::object()},
                         std::chrono::seconds(10));
  if (!me) return me.error();
  Json target{
      {"host", me->value("host", "")}, {"port", me->value("port", 0)}, {"type", callbackType_}};
  std::lock_guard lock(mutex_);
  self_ = target;
  return target;
}

Reply TaskCalls::call(const Address& peer, Message message, std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  if (!message.body.contains("taskUuid")) message.body["taskUuid"] = newUuid();
  // A node that does not listen yet (its start hooks run first) cannot be called back: it waits
  // on the connection instead, as for a short command.
  auto target = callbackTarget();
  if (!target) return agent::call(peer, message, timeout);
  message.body["callback"] = *target;
  std::string task = message.body["taskUuid"];
  auto waiter = std::make_shared<Waiter>();
  {
    std::lock_guard lock(mutex_);
    waiting_[task] = waiter;
  }
  Reply reply = waitFor(peer, message, waiter, deadline);
  std::lock_guard lock(mutex_);
  waiting_.erase(task);
  return reply;
}

Reply TaskCalls::waitFor(const Address& peer, const Message& message,
                         std::shared_ptr<Waiter> waiter, Clock::time_point deadline) {
  Reply accepted = agent::call(peer, message, std::min(left(deadline), kAcceptTimeout));
  if (!accepted || !accepted->contains(kTaskAcceptedKey)) return accepted;
  const std::string& task = message.body["taskUuid"].get_ref<const std::string&>();
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      auto until = std::min(deadline, Clock::now() + pollEvery_);
      if (waiter->arrived.wait_until(lock, until, [&] { return waiter->reply.has_value(); }))
        return *waiter->reply;
    }
    if (Clock::now() >= deadline) {
      return makeError(ErrorCode::kTimeout,
                       "the agent at " + peer.text() + " did not finish in time",
                       message.type + " task " + task);
    }
    // No callback yet: the agent's registry says whether the task still runs.
    Reply state = agent::call(peer, Message{std::string(kvm::kGetTask), "", {{"taskUuid", task}}},
                              std::min(left(deadline), kAcceptTimeout));
    if (!state && state.error().code == ErrorCode::kNotFound) {
      return makeError(ErrorCode::kUnavailable,
                       "the agent at " + peer.text() + " lost " + message.type + " (it restarted)",
                       state.error().message);
    }
    if (!state) return state.error();
    if (state->value("state", "") == "Done") return replyFromJson(state->value("reply", Json()));
  }
}

}  // namespace strato::agent
