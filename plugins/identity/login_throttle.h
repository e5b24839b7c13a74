// Slows down password guessing: after kMaxFailures wrong logins for one account name within
// kWindowMs, logins under that name are refused for kBlockMs, whatever the password. Kept in
// memory per node (a restart or another node starts afresh): it bounds the guessing rate, it is
// not an audit trail. Unknown names are tracked like real ones so the answer reveals nothing.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace strato::identity {

class LoginThrottle {
 public:
  static constexpr int kMaxFailures = 5;
  static constexpr std::int64_t kWindowMs = 60'000;
  static constexpr std::int64_t kBlockMs = 60'000;
  // Names tracked at most; spraying random names cannot grow the map without bound.
  static constexpr std::size_t kMaxTracked = 10'000;

  bool blocked(const std::string& name, std::int64_t nowMs);
  void recordFailure(const std::string& name, std::int64_t nowMs);
  void recordSuccess(const std::string& name);

 private:
  struct Entry {
    int failures = 0;
    std::int64_t windowStart = 0;
    std::int64_t blockedUntil = 0;
  };
  void pruneLocked(std::int64_t nowMs);

  std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace strato::identity
