// A plugin's own clock: the bus has no timers, so work that must happen every so often (sweeps,
// pings) runs on a thread of the plugin's own. Start it from Registrar::onStart and stop it from
// onStop, so it never outlives the plugin's library.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace strato {

class PeriodicTask {
 public:
  // `interval` is asked again after every round (it may follow a global config); `work` runs on
  // the task's thread, one round at a time.
  PeriodicTask(std::function<std::chrono::milliseconds()> interval, std::function<void()> work)
      : interval_(std::move(interval)), work_(std::move(work)) {}
  ~PeriodicTask() { stop(); }
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

  void start() {
    std::lock_guard lock(mutex_);
    if (thread_.joinable()) return;
    stopping_ = false;
    thread_ = std::thread([this] { run(); });
  }

  void stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
  }

  // The interval changed: the next round is due at most one new interval from now.
  void reschedule() {
    {
      std::lock_guard lock(mutex_);
      rescheduled_ = true;
    }
    wake_.notify_all();
  }

 private:
  void run() {
    std::unique_lock lock(mutex_);
    auto next = std::chrono::steady_clock::now() + interval_();
    while (!stopping_) {
      wake_.wait_until(lock, next, [this] { return stopping_ || rescheduled_; });
      if (stopping_) break;
      auto now = std::chrono::steady_clock::now();
      if (rescheduled_) {
        rescheduled_ = false;
        next = std::min(next, now + interval_());
        continue;
      }
      if (now < next) continue;
      lock.unlock();
      work_();
      lock.lock();
      next = std::chrono::steady_clock::now() + interval_();
    }
  }

  std::function<std::chrono::milliseconds()> interval_;
  std::function<void()> work_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool rescheduled_ = false;
};

}  // namespace strato
