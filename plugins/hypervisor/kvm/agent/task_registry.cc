#include "task_registry.h"

#include "agent_client/task_calls.h"

namespace strato::kvm {
namespace {

using Clock = std::chrono::steady_clock;

// A management node too busy to take the reply in this time polls for it anyway; the agent's
// thread is not held longer.
constexpr std::chrono::seconds kCallbackTimeout{2};

Json accepted(const std::string& taskUuid) { return Json{{agent::kTaskAcceptedKey, taskUuid}}; }

}  // namespace

TaskRegistry::TaskRegistry(std::chrono::seconds keep, std::chrono::milliseconds answerWithin,
                           bool callBack)
    : keep_(keep), answerWithin_(answerWithin), callBack_(callBack) {
  answerer_ = std::thread([this] { answerLate(); });
}

TaskRegistry::~TaskRegistry() { stop(); }

void TaskRegistry::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  deadlineAdded_.notify_all();
  if (answerer_.joinable()) answerer_.join();
}

void TaskRegistry::pruneLocked() {
  auto now = Clock::now();
  for (auto it = tasks_.begin(); it != tasks_.end();) {
    bool stale = it->second->done && now - it->second->finished > keep_;
    it = stale ? tasks_.erase(it) : std::next(it);
  }
}

Reply TaskRegistry::run(const std::string& taskUuid, const std::function<Reply()>& work) {
  std::shared_ptr<Entry> entry;
  {
    std::unique_lock lock(mutex_);
    pruneLocked();
    auto& slot = tasks_[taskUuid];
    if (slot) {
      entry = slot;
      entry->cv.wait(lock, [&] { return entry->done; });
      return entry->reply;
    }
    slot = std::make_shared<Entry>();
    entry = slot;
  }
  Reply reply = work();
  finish(taskUuid, *entry, reply);
  return reply;
}

void TaskRegistry::finish(const std::string& taskUuid, Entry& entry, Reply reply) {
  std::shared_ptr<Replier> first;
  std::vector<Callback> owed;
  {
    std::lock_guard lock(mutex_);
    entry.reply = reply;
    entry.done = true;
    entry.finished = Clock::now();
    entry.cv.notify_all();
    first = std::move(entry.first);
    if (callBack_) owed = std::move(entry.callbacks);
  }
  if (first) (*first)(reply);
  for (const auto& c : owed) {
    Json body{{"taskUuid", taskUuid}, {"reply", replyToJson(reply)}};
    (void)agent::call(c.address, Message{c.type, "", std::move(body)}, kCallbackTimeout);
  }
}

Result<TaskRegistry::Callback> TaskRegistry::callbackFrom(const Json& body) {
  const Json& c = body.value("callback", Json());
  Callback callback;
  if (c.is_object()) {
    callback = {{c.value("host", ""), c.value("port", 0)}, c.value("type", "")};
  }
  // Calling a wildcard back would reach whatever listens on this host instead.
  const auto& host = callback.address.host;
  if (host.empty() || agent::isWildcardHost(host) || callback.address.port <= 0 ||
      callback.type.rfind("remote.", 0) != 0) {
    return makeError(ErrorCode::kInvalidArgument,
                     "callback needs a host (not a wildcard), a port and a remote. message type",
                     c.dump());
  }
  return callback;
}

void TaskRegistry::accept(const std::string& taskUuid, Callback callback,
                          std::function<Reply()> work,
                          const std::function<void(std::function<void()>)>& runBlocking,
                          Replier reply) {
  std::shared_ptr<Entry> entry;
  {
    std::lock_guard lock(mutex_);
    pruneLocked();
    auto& slot = tasks_[taskUuid];
    if (slot) {
      if (slot->done) return reply(slot->reply);
      slot->callbacks.push_back(std::move(callback));
      return reply(accepted(taskUuid));
    }
    slot = std::make_shared<Entry>();
    entry = slot;
    if (answerWithin_.count() <= 0) {
      entry->callbacks.push_back(std::move(callback));
    } else {
      entry->first = std::make_shared<Replier>(std::move(reply));
      entry->firstCallback = std::move(callback);
      deadlines_.emplace(Clock::now() + answerWithin_, std::pair{taskUuid, std::weak_ptr(entry)});
    }
  }
  if (answerWithin_.count() <= 0) reply(accepted(taskUuid));
  deadlineAdded_.notify_all();
  runBlocking(
      [this, entry, taskUuid, work = std::move(work)] { finish(taskUuid, *entry, work()); });
}

void TaskRegistry::answerLate() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (deadlines_.empty()) {
      deadlineAdded_.wait(lock);
      continue;
    }
    auto due = deadlines_.begin();
    if (Clock::now() < due->first) {
      deadlineAdded_.wait_until(lock, due->first);
      continue;
    }
    std::string task = due->second.first;
    auto entry = due->second.second.lock();
    deadlines_.erase(due);
    if (!entry || !entry->first) continue;  // answered with its reply already
    auto first = std::move(entry->first);
    entry->callbacks.push_back(std::move(entry->firstCallback));
    lock.unlock();
    (*first)(accepted(task));
    lock.lock();
  }
}

Reply TaskRegistry::describe(const std::string& taskUuid) {
  std::lock_guard lock(mutex_);
  auto it = tasks_.find(taskUuid);
  if (it == tasks_.end()) return makeError(ErrorCode::kNotFound, "no task " + taskUuid + " here");
  if (!it->second->done) return Json{{"state", "Running"}};
  return Json{{"state", "Done"}, {"reply", replyToJson(it->second->reply)}};
}

}  // namespace strato::kvm
