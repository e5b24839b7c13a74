#include "task_calls.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

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

// The address this host sends from to reach `host`: what routing picks, asked of the kernel by
// connecting a UDP socket, which sends nothing.
Result<std::string> localAddressTowards(const std::string& host) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_DGRAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), "7", &hints, &found) != 0 || found == nullptr) {
    return makeError(ErrorCode::kUnavailable, "cannot resolve " + host);
  }
  std::unique_ptr<addrinfo, void (*)(addrinfo*)> owned(found, freeaddrinfo);
  int fd = ::socket(found->ai_family, SOCK_DGRAM, 0);
  sockaddr_storage local{};
  socklen_t size = sizeof local;
  bool ok = fd >= 0 && ::connect(fd, found->ai_addr, found->ai_addrlen) == 0 &&
            ::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &size) == 0;
  if (fd >= 0) ::close(fd);
  char text[INET6_ADDRSTRLEN] = {};
  const void* addr =
      local.ss_family == AF_INET6
          ? static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(&local)->sin6_addr)
          : static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(&local)->sin_addr);
  if (!ok || inet_ntop(local.ss_family, addr, text, sizeof text) == nullptr) {
    return makeError(ErrorCode::kUnavailable, "no route to " + host + " to be called back on");
  }
  return std::string(text);
}

}  // namespace

bool isWildcardHost(const std::string& host) {
  return host == "0.0.0.0" || host == "::" || host == "[::]";
}

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

Result<Json> TaskCalls::callbackTarget(const Address& peer) {
  std::optional<Json> self;
  {
    std::lock_guard lock(mutex_);
    self = self_;
  }
  if (!self) {
    auto me = strato::call(bus_, Message{std::string(kNodeAddressMessage), "", Json::object()},
                           std::chrono::seconds(10));
    if (!me) return me.error();
    self = Json{
        {"host", me->value("host", "")}, {"port", me->value("port", 0)}, {"type", callbackType_}};
    std::lock_guard lock(mutex_);
    self_ = self;
  }
  std::string host = (*self)["host"];
  if (!isWildcardHost(host)) return *self;
  auto local = localAddressTowards(peer.host);
  if (!local) return local.error();
  Json target = *self;
  target["host"] = *local;
  return target;
}

Reply TaskCalls::call(const Address& peer, Message message, std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  if (!message.body.contains("taskUuid")) message.body["taskUuid"] = newUuid();
  // A node that does not listen yet (its start hooks run first) cannot be called back: it waits
  // on the connection instead, as for a short command.
  auto target = callbackTarget(peer);
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
