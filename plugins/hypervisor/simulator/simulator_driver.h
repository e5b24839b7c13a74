// The Simulator hypervisor: hosts that exist only in this process, so tests and benchmarks can
// run thousands of them. connect() reports the facts AddSimulatorHost was given; ping() answers
// from memory. Failures and latency are injected on purpose:
//   - system tag "simulator::failConnect" on the host (or among AddSimulatorHost's systemTags):
//     connect() fails;
//   - system tag "simulator::failPing" on the host: ping() fails (the host goes Disconnected,
//     and comes back once the tag is deleted): the host cannot be reached, but may still run
//     its guests;
//   - system tag "simulator::poweredOff" on the host: ping() fails too, the host's guests stop
//     (onPowerLost), and the fencer (SimulatorFencer) says the host is down;
//   - config plugin.simulator.connectLatencyMs / plugin.simulator.pingLatencyMs: every connect()
//     / ping() sleeps that long first (on the blocking pool, like a real agent call).
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

#include <strato/host_fencer.h>
#include <strato/sdk.h>

namespace strato::simulator {

inline constexpr std::string_view kType = "Simulator";
inline constexpr std::string_view kFailConnectTag = "simulator::failConnect";
inline constexpr std::string_view kFailPingTag = "simulator::failPing";
inline constexpr std::string_view kPoweredOffTag = "simulator::poweredOff";

class SimulatorDriver : public HypervisorDriver {
 public:
  SimulatorDriver(Database& db, std::chrono::milliseconds connectLatency,
                  std::chrono::milliseconds pingLatency,
                  std::function<void(const std::string& hostUuid)> onPowerLost)
      : db_(db),
        connectLatency_(connectLatency),
        pingLatency_(pingLatency),
        onPowerLost_(std::move(onPowerLost)) {}

  std::string type() const override { return std::string(kType); }
  Result<HostFacts> connect(const HostSpec& host) override;
  Status ping(const HostSpec& host) override;

  // The host row is gone: forget the host.
  void forget(const std::string& uuid);
  std::size_t hostCount() const;

 private:
  // kPoweredOffTag fails the call; the first time a host is seen off (by a ping or a reconnect),
  // its guests stop.
  Status checkPower(const HostSpec& host);

  struct SimulatedHost {
    HostFacts facts;
    bool up = true;
    bool powered = true;
  };

  Database& db_;
  std::chrono::milliseconds connectLatency_;
  std::chrono::milliseconds pingLatency_;
  std::function<void(const std::string&)> onPowerLost_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, SimulatedHost> hosts_;
};

// A simulated host is down exactly when it carries kPoweredOffTag. Its guests are stopped then
// if no ping has seen the power go yet: a fence leaves nothing running, as a real one (a power
// switch) does.
class SimulatorFencer : public HostFencer {
 public:
  SimulatorFencer(Database& db, std::function<void(const std::string& hostUuid)> onPowerLost)
      : db_(db), onPowerLost_(std::move(onPowerLost)) {}
  std::string type() const override { return std::string(kType); }
  Result<bool> isDown(const std::string& hostUuid) override {
    auto off = carriesSystemTag(db_, hostUuid, kPoweredOffTag);
    if (off && *off) onPowerLost_(hostUuid);
    return off;
  }

 private:
  Database& db_;
  std::function<void(const std::string&)> onPowerLost_;
};

}  // namespace strato::simulator
