// Runs `work` every `period` on its own thread until stopped; stop() wakes it at once.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace strato::kernel {

class PeriodicTask {
 public:
  PeriodicTask() = default;
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;
  ~PeriodicTask() { stop(); }

  void start(std::chrono::milliseconds period, std::function<void()> work) {
    stop();
    stopping_ = false;
    thread_ = std::thread([this, period, work = std::move(work)] {
      std::unique_lock lock(mutex_);
      while (!wake_.wait_for(lock, period, [&] { return stopping_; })) {
        lock.unlock();
        work();
        lock.lock();
      }
    });
  }

  void stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace strato::kernel
