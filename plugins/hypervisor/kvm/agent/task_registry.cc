#include "task_registry.h"

namespace strato::kvm {

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
  std::lock_guard lock(mutex_);
  entry->reply = reply;
  entry->done = true;
  entry->finished = std::chrono::steady_clock::now();
  entry->cv.notify_all();
  return reply;
}

Reply TaskRegistry::describe(const std::string& taskUuid) {
  std::lock_guard lock(mutex_);
  auto it = tasks_.find(taskUuid);
  if (it == tasks_.end()) return makeError(ErrorCode::kNotFound, "no task " + taskUuid + " here");
  if (!it->second->done) return Json{{"state", "Running"}};
  return Json{{"state", "Done"}, {"reply", replyToJson(it->second->reply)}};
}

}  // namespace strato::kvm
