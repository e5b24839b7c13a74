// Threads for blocking work (SQL, files, agents): `base` of them always, more while every one is
// busy, up to `max`. Blocking work may wait for other blocking work: a handler on the pool asks
// the bus for something a blocking handler answers, or waits for a host's agent. A fixed pool
// starves then, once every thread waits for work queued behind it. Threads beyond `base` leave
// after `idle` without work.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>

namespace strato::kernel {

class ElasticPool {
 public:
  ElasticPool(unsigned base, unsigned max, std::chrono::milliseconds idle);
  ~ElasticPool();  // stop() and join()
  ElasticPool(const ElasticPool&) = delete;
  ElasticPool& operator=(const ElasticPool&) = delete;

  void post(std::function<void()> job);
  // Queued jobs are dropped; running ones finish. join() waits for them.
  void stop();
  void join();
  unsigned threads() const;

 private:
  void spawnLocked();
  void work();

  const unsigned base_, max_;
  const std::chrono::milliseconds idle_;
  mutable std::mutex mutex_;
  std::condition_variable jobs_, gone_;
  std::deque<std::function<void()>> queue_;
  unsigned threads_ = 0, waiting_ = 0;
  bool stopping_ = false;
};

}  // namespace strato::kernel
