// Ping tracking: every host/ping.interval seconds, each Connected or Disconnected host is pinged
// through its driver (see HostConnections::ping). The bus has no timers, so a PeriodicTask (a
// thread of the plugin's own) keeps time; the pings themselves are bus requests ("host.Ping",
// resourceUuid = the host), which run on the blocking pool in parallel across hosts and one at a
// time with any API call on the same host.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include <strato/sdk.h>

namespace strato::host {

inline constexpr std::string_view kPingMessage = "host.Ping";

class PingTracker : public std::enable_shared_from_this<PingTracker> {
 public:
  PingTracker(MessageBus& bus, Database& db, const GlobalConfigView& globalConfig, Logger& logger)
      : bus_(bus), db_(db), globalConfig_(globalConfig), logger_(logger) {}

  void start() {
    stopping_ = false;
    task_.start();
  }
  void stop() {
    stopping_ = true;
    task_.stop();
  }
  // The interval changed: the next round is due at most one new interval from now.
  void intervalChanged() { task_.reschedule(); }

 private:
  void pingRound();
  std::chrono::milliseconds interval() const;

  MessageBus& bus_;
  Database& db_;
  const GlobalConfigView& globalConfig_;
  Logger& logger_;
  std::atomic<bool> stopping_ = false;
  std::mutex mutex_;
  std::set<std::string> inFlight_;  // a slow ping is not piled on by the next round
  PeriodicTask task_{[this] { return interval(); }, [this] { pingRound(); }};
};

}  // namespace strato::host
