// One FIFO per resource uuid: the call holding a resource runs, later calls for the same uuid wait
// their turn. Entries exist only while a resource is busy, so a million idle resources cost
// nothing. Sharded to keep unrelated resources off each other's locks.
//
// `Work` needs `bool finished() const` (finished work is skipped: it timed out or was cancelled
// while waiting) and `void markActive()` (called under the lock when it gets the resource).
#pragma once

#include <array>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace strato::kernel {

template <class Work>
class ResourceQueues {
 public:
  // True when `work` got the resource and may run now; false when it was queued.
  // `hash` is std::hash of `resource`, computed once by the caller for acquire and release.
  bool acquire(const std::string& resource, std::size_t hash, const std::shared_ptr<Work>& work) {
    Shard& shard = shards_[hash % kShards];
    std::lock_guard lock(shard.mutex);
    auto [it, idle] = shard.queues.try_emplace(resource);
    if (idle) {
      work->markActive();
      return true;
    }
    it->second.push_back(work);
    return false;
  }

  // The holder is done: returns the next waiting work that still wants to run (now holding the
  // resource), or null when the resource went idle.
  std::shared_ptr<Work> release(const std::string& resource, std::size_t hash) {
    Shard& shard = shards_[hash % kShards];
    std::lock_guard lock(shard.mutex);
    auto it = shard.queues.find(resource);
    if (it == shard.queues.end()) return nullptr;
    auto& waiting = it->second;
    while (!waiting.empty()) {
      auto next = std::move(waiting.front());
      waiting.pop_front();
      if (!next->finished()) {
        next->markActive();
        return next;
      }
    }
    shard.queues.erase(it);
    return nullptr;
  }

  std::size_t size() const {
    std::size_t n = 0;
    for (auto& shard : shards_) {
      std::lock_guard lock(shard.mutex);
      n += shard.queues.size();
    }
    return n;
  }

 private:
  static constexpr std::size_t kShards = 64;
  struct Shard {
    mutable std::mutex mutex;
    std::unordered_map<std::string, std::deque<std::shared_ptr<Work>>> queues;
  };
  std::array<Shard, kShards> shards_;
};

}  // namespace strato::kernel
