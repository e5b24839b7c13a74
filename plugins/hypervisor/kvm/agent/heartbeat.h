// Heartbeats on shared storage. Every interval, the agent rewrites
// <root>/heartbeat/<host uuid> (agent_client/shared_storage.h) on each shared primary storage its
// host uses, with a token of this run and a counter. A host whose files stop changing is down as
// far as its storage can tell; one that only the management network lost keeps writing them. The
// kvm plugin's fencer reads them through another host's agent (kReadHeartbeat).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <strato/json.h>
#include <strato/logger.h>

namespace strato::kvm {

class Heartbeat {
 public:
  explicit Heartbeat(Logger& logger);
  ~Heartbeat();
  Heartbeat(const Heartbeat&) = delete;
  Heartbeat& operator=(const Heartbeat&) = delete;

  // What the management node says in Facts and Ping: {"hostUuid", "heartbeat": {"roots": [...],
  // "intervalMs"}}. A body without "heartbeat" changes nothing.
  void configure(const Json& body);
  void stop();

 private:
  void run();
  // One round: a new beat on every root. Errors are logged, not fatal: a storage that cannot be
  // written now may be writable at the next round.
  void beat(const std::string& host, const std::vector<std::string>& roots);

  Logger& logger_;
  const std::string token_;  // this run's: a restarted agent never repeats a beat
  std::uint64_t count_ = 0;
  std::mutex mutex_;
  std::condition_variable changed_;
  bool stopping_ = false;
  std::string host_;
  std::vector<std::string> roots_;
  std::chrono::milliseconds interval_{2000};
  std::thread thread_;
};

}  // namespace strato::kvm
