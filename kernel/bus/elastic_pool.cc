#include "bus/elastic_pool.h"

#include <algorithm>
#include <thread>

namespace strato::kernel {

ElasticPool::ElasticPool(unsigned base, unsigned max, std::chrono::milliseconds idle)
    : base_(std::max(1u, base)), max_(std::max(base_, max)), idle_(idle) {
  std::lock_guard lock(mutex_);
  for (unsigned i = 0; i < base_; ++i) spawnLocked();
}

ElasticPool::~ElasticPool() {
  stop();
  join();
}

// Threads are detached and counted: one that leaves cannot join itself, and join() waits for
// the count instead.
void ElasticPool::spawnLocked() {
  ++threads_;
  std::thread([this] { work(); }).detach();
}

void ElasticPool::post(std::function<void()> job) {
  std::lock_guard lock(mutex_);
  if (stopping_) return;
  queue_.push_back(std::move(job));
  // Every thread is busy (or already has a job coming): one more, or the job could wait for ever.
  if (waiting_ < queue_.size() && threads_ < max_) spawnLocked();
  jobs_.notify_one();
}

void ElasticPool::work() {
  std::unique_lock lock(mutex_);
  for (;;) {
    ++waiting_;
    bool woken = jobs_.wait_for(lock, idle_, [&] { return stopping_ || !queue_.empty(); });
    --waiting_;
    if (stopping_ || (!woken && threads_ > base_)) break;
    if (queue_.empty()) continue;
    auto job = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    job();
    lock.lock();
  }
  // Notified under the lock: once join() sees the count, this thread touches the pool no more.
  if (--threads_ == 0) gone_.notify_all();
}

void ElasticPool::stop() {
  std::lock_guard lock(mutex_);
  stopping_ = true;
  queue_.clear();
  jobs_.notify_all();
}

void ElasticPool::join() {
  std::unique_lock lock(mutex_);
  gone_.wait(lock, [&] { return threads_ == 0; });
}

unsigned ElasticPool::threads() const {
  std::lock_guard lock(mutex_);
  return threads_;
}

}  // namespace strato::kernel
