#include "ping_tracker.h"

#include "host_store.h"

namespace strato::host {

std::chrono::seconds PingTracker::interval() const {
  return std::chrono::seconds(
      std::max<std::int64_t>(1, globalConfig_.getInt("host", "ping.interval", 60)));
}

void PingTracker::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void PingTracker::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void PingTracker::intervalChanged() {
  {
    std::lock_guard lock(mutex_);
    changed_ = true;
  }
  wake_.notify_all();
}

void PingTracker::run() {
  std::unique_lock lock(mutex_);
  auto next = std::chrono::steady_clock::now() + interval();
  while (!stopping_) {
    wake_.wait_until(lock, next, [this] { return stopping_ || changed_; });
    if (stopping_) break;
    auto now = std::chrono::steady_clock::now();
    if (changed_) {
      changed_ = false;
      next = std::min(next, now + interval());
      continue;
    }
    if (now < next) continue;
    lock.unlock();
    pingRound();
    lock.lock();
    next = std::chrono::steady_clock::now() + interval();
  }
}

void PingTracker::pingRound() {
  auto hosts = trackedHosts(db_);
  if (!hosts) {
    logger_.warn("host.ping.round.failed error=" + hosts.error().describe());
    return;
  }
  auto self = shared_from_this();
  for (auto& uuid : *hosts) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      if (!inFlight_.insert(uuid).second) continue;
    }
    bus_.request({std::string(kPingMessage), uuid, Json::object()}, [self, uuid](Reply reply) {
      if (!reply)
        self->logger_.debug("host.ping.error uuid=" + uuid + " error=" + reply.error().describe());
      std::lock_guard lock(self->mutex_);
      self->inFlight_.erase(uuid);
    });
  }
}

}  // namespace strato::host
