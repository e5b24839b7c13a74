#include "task_registry.h"

#include "agent_client/task_calls.h"

namespace strato::kvm {
namespace {

// A management node that does not take the reply in this time polls for it anyway.
constexpr std::chrono::seconds kCallbackTimeout{10};

void tell(const std::vector<TaskRegistry::Callback>& callbacks, const std::string& taskUuid,
          const Reply& reply) {
  for (const auto& c : callbacks) {
    Json body{{"taskUuid", taskUuid}, {"reply", replyToJson(reply)}};
    (void)agent::call(c.address, Message{c.type, "", std::move(body)}, kCallbackTimeout);
  }
}

}  // namespace

void TaskRegistry::pruneLocked() {
  auto now = std::chrono::steady_clock::now();
  for (auto it = tasks_.begin(); it != tasks_.end();) {
    bool stale = it->second->done && now - it->second->finished > keep_;
    it = stale ? tasks_.erase(it) : std::next(it);
  }
}

Reply TaskRegistry::run(const std::string& taskUuid, const std::function<Reply()>& work) {
  std::shared_ptr<Entry> entry;
  bool first = false;
  {
    std::unique_lock lock(mutex_);
    pruneLocked();
    auto& slot = tasks_[taskUuid];
    if (!slot) {
      slot = std::make_shared<Entry>();
      first = true;
    }
    entry = slot;
    if (!first) {
      entry->cv.wait(lock, [&] { return entry->done; });
      return entry->reply;
    }
  }
  Reply reply = work();
  tell(finish(*entry, reply), taskUuid, reply);
  return reply;
}

std::vector<TaskRegistry::Callback> TaskRegistry::finish(Entry& entry, Reply reply) {
  std::lock_guard lock(mutex_);
  entry.reply = std::move(reply);
  entry.done = true;
  entry.finished = std::chrono::steady_clock::now();
  entry.cv.notify_all();
  if (!callBack_) return {};
  return std::move(entry.callbacks);
}

Result<TaskRegistry::Callback> TaskRegistry::callbackFrom(const Json& body) {
  const Json& c = body.value("callback", Json());
  Callback callback;
  if (c.is_object()) {
    callback = {{c.value("host", ""), c.value("port", 0)}, c.value("type", "")};
  }
  if (callback.address.host.empty() || callback.address.port <= 0 ||
      callback.type.rfind("remote.", 0) != 0) {
    return makeError(ErrorCode::kInvalidArgument,
                     "callback needs a host, a port and a remote. message type", c.dump());
  }
  return callback;
}

Reply TaskRegistry::accept(const std::string& taskUuid, Callback callback,
                           std::function<Reply()> work,
                           const std::function<void(std::function<void()>)>& runBlocking) {
  std::shared_ptr<Entry> entry;
  {
    std::lock_guard lock(mutex_);
    pruneLocked();
    auto& slot = tasks_[taskUuid];
    if (slot) {
      if (slot->done) return slot->reply;
      slot->callbacks.push_back(std::move(callback));
      return Json{{agent::kTaskAcceptedKey, taskUuid}};
    }
    slot = std::make_shared<Entry>();
    slot->callbacks.push_back(std::move(callback));
    entry = slot;
  }
  runBlocking([this, entry, taskUuid, work = std::move(work)] {
    Reply reply = work();
    tell(finish(*entry, reply), taskUuid, reply);
  });
  return Json{{agent::kTaskAcceptedKey, taskUuid}};
}

Reply TaskRegistry::describe(const std::string& taskUuid) {
  std::lock_guard lock(mutex_);
  auto it = tasks_.find(taskUuid);
  if (it == tasks_.end()) return makeError(ErrorCode::kNotFound, "no task " + taskUuid + " here");
  if (!it->second->done) return Json{{"state", "Running"}};
  return Json{{"state", "Done"}, {"reply", replyToJson(it->second->reply)}};
}

}  // namespace strato::kvm
