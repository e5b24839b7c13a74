#include "login_throttle.h"

namespace strato::identity {

bool LoginThrottle::blocked(const std::string& name, std::int64_t nowMs) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(name);
  return it != entries_.end() && it->second.blockedUntil > nowMs;
}

void LoginThrottle::recordFailure(const std::string& name, std::int64_t nowMs) {
  std::lock_guard lock(mutex_);
  if (entries_.size() >= kMaxTracked && !entries_.count(name)) pruneLocked(nowMs);
  Entry& e = entries_[name];
  if (nowMs - e.windowStart > kWindowMs) {
    e.failures = 0;
    e.windowStart = nowMs;
  }
  if (++e.failures >= kMaxFailures) {
    e.blockedUntil = nowMs + kBlockMs;
    e.failures = 0;
    e.windowStart = nowMs;
  }
}

void LoginThrottle::recordSuccess(const std::string& name) {
  std::lock_guard lock(mutex_);
  entries_.erase(name);
}

void LoginThrottle::pruneLocked(std::int64_t nowMs) {
  for (auto it = entries_.begin(); it != entries_.end();) {
    bool stale = it->second.blockedUntil <= nowMs && nowMs - it->second.windowStart > kWindowMs;
    it = stale ? entries_.erase(it) : std::next(it);
  }
  // Still full of live entries: forget the unblocked ones rather than grow; a blocked name
  // stays blocked.
  if (entries_.size() < kMaxTracked) return;
  for (auto it = entries_.begin(); it != entries_.end();) {
    it = it->second.blockedUntil <= nowMs ? entries_.erase(it) : std::next(it);
  }
}

}  // namespace strato::identity
