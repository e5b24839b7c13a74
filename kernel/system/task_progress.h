// Progress reports of running API jobs (GetTaskProgress), kept in memory: they matter only while
// a job runs and shortly after. Bounded per job and in the number of jobs remembered.
#pragma once

#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "strato/json.h"

namespace strato::kernel {

class TaskProgressStore {
 public:
  // `event` is the body of a kTaskProgressEvent: {"apiId", "content", "percent"}.
  void record(const Json& event);
  // Every report of the job when `all`, else only the latest; oldest first.
  std::vector<Json> reports(const std::string& apiId, bool all) const;

 private:
  static constexpr std::size_t kPerJob = 100;
  static constexpr std::size_t kJobs = 10000;

  mutable std::mutex mutex_;
  std::map<std::string, std::vector<Json>> byJob_;
  std::deque<std::string> order_;  // eviction order of byJob_
};

}  // namespace strato::kernel
