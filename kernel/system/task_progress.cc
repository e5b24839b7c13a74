#include "system/task_progress.h"

#include "strato/time_format.h"

namespace strato::kernel {

void TaskProgressStore::record(const Json& event) {
  if (!event.is_object() || !event.contains("apiId") || !event["apiId"].is_string()) return;
  std::string apiId = event["apiId"];
  Json report{{"taskUuid", apiId},
              {"taskName", event.value("taskName", "")},
              {"type", "Task"},
              {"content", event.value("content", "")},
              {"time", nowMillis()}};
  if (event.contains("percent") && event["percent"].is_number())
    report["progress"] = event["percent"];
  std::lock_guard lock(mutex_);
  auto [it, fresh] = byJob_.try_emplace(apiId);
  if (fresh) {
    order_.push_back(apiId);
    if (order_.size() > kJobs) {
      byJob_.erase(order_.front());
      order_.pop_front();
    }
  }
  if (it->second.size() == kPerJob) it->second.erase(it->second.begin());
  it->second.push_back(std::move(report));
}

std::vector<Json> TaskProgressStore::reports(const std::string& apiId, bool all) const {
  std::lock_guard lock(mutex_);
  auto it = byJob_.find(apiId);
  if (it == byJob_.end() || it->second.empty()) return {};
  if (all) return it->second;
  return {it->second.back()};
}

}  // namespace strato::kernel
