// Ping tracking: every host/ping.interval seconds, each Connected or Disconnected host is pinged
// through its driver (see HostConnections::ping). The bus has no timers, so a thread of the
// plugin's own keeps time; the pings themselves are bus requests ("host.Ping", resourceUuid =
// the host), which run on the blocking pool in parallel across hosts and one at a time with any
// API call on the same host.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include <strato/sdk.h>

namespace strato::host {

inline constexpr std::string_view kPingMessage = "host.Ping";

class PingTracker : public std::enable_shared_from_this<PingTracker> {
 public:
  PingTracker(MessageBus& bus, Database& db, const GlobalConfigView& globalConfig, Logger& logger)
      : bus_(bus), db_(db), globalConfig_(globalConfig), logger_(logger) {}
  ~PingTracker() { stop(); }

  void start();
  void stop();
  // The interval changed: the next round is due at most one new interval from now.
  void intervalChanged();

 private:
  void run();
  void pingRound();
  std::chrono::seconds interval() const;

  MessageBus& bus_;
  Database& db_;
  const GlobalConfigView& globalConfig_;
  Logger& logger_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool changed_ = false;
  std::set<std::string> inFlight_;  // a slow ping is not piled on by the next round
};

}  // namespace strato::host
