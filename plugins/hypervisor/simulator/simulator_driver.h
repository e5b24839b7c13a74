// The Simulator hypervisor: hosts that exist only in this process, so tests and benchmarks can
// run thousands of them. connect() reports the facts AddSimulatorHost was given; ping() answers
// from memory. Failures and latency are injected on purpose:
//   - system tag "simulator::failConnect" on the host (or among AddSimulatorHost's systemTags):
//     connect() fails;
//   - system tag "simulator::failPing" on the host: ping() fails (the host goes Disconnected,
//     and comes back once the tag is deleted);
//   - config plugin.simulator.connectLatencyMs / plugin.simulator.pingLatencyMs: every connect()
//     / ping() sleeps that long first (on the blocking pool, like a real agent call).
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

#include <strato/sdk.h>

namespace strato::simulator {

inline constexpr std::string_view kType = "Simulator";
inline constexpr std::string_view kFailConnectTag = "simulator::failConnect";
inline constexpr std::string_view kFailPingTag = "simulator::failPing";

class SimulatorDriver : public HypervisorDriver {
 public:
  SimulatorDriver(Database& db, std::chrono::milliseconds connectLatency,
                  std::chrono::milliseconds pingLatency)
      : db_(db), connectLatency_(connectLatency), pingLatency_(pingLatency) {}

  std::string type() const override { return std::string(kType); }
  Result<HostFacts> connect(const HostSpec& host) override;
  Status ping(const HostSpec& host) override;

  // The host row is gone: forget the host.
  void forget(const std::string& uuid);
  std::size_t hostCount() const;

 private:
  struct SimulatedHost {
    HostFacts facts;
    bool up = true;
  };

  Database& db_;
  std::chrono::milliseconds connectLatency_;
  std::chrono::milliseconds pingLatency_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, SimulatedHost> hosts_;
};

}  // namespace strato::simulator
