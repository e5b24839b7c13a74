#include "simulator_driver.h"

#include <thread>

namespace strato::simulator {
namespace {

constexpr std::int64_t kDefaultCpuNum = 8;
constexpr std::int64_t kDefaultMemoryBytes = 16LL << 30;

std::int64_t positive(const Json& extra, const char* key, std::int64_t fallback) {
  if (!extra.contains(key) || !extra[key].is_number_integer()) return fallback;
  auto v = extra[key].get<std::int64_t>();
  return v > 0 ? v : fallback;
}

}  // namespace

Result<HostFacts> SimulatorDriver::connect(const HostSpec& host) {
  if (connectLatency_.count() > 0) std::this_thread::sleep_for(connectLatency_);
  // On the first connect the API's tags are not stored yet: the host plugin hands them over.
  auto tagged = carriesSystemTag(db_, host.uuid, kFailConnectTag, host.extra);
  if (!tagged) return tagged.error();
  if (*tagged) {
    return makeError(
        ErrorCode::kUnavailable, "simulated connection failure",
        "host " + host.managementIp + " carries the system tag " + std::string(kFailConnectTag));
  }
  if (auto powered = checkPower(host); !powered) return powered.error();
  HostFacts facts;
  facts.cpuNum = positive(host.extra, "cpuCapacity", kDefaultCpuNum);
  facts.cpuSockets = 1;
  facts.cpuSpeedMhz = 2400;
  facts.totalMemoryBytes = positive(host.extra, "memoryCapacity", kDefaultMemoryBytes);
  facts.osDistribution = "Simulator";
  facts.osRelease = "1";
  std::lock_guard lock(mutex_);
  hosts_[host.uuid] = SimulatedHost{facts, true};
  return facts;
}

Status SimulatorDriver::checkPower(const HostSpec& host) {
  auto off = carriesSystemTag(db_, host.uuid, kPoweredOffTag);
  if (!off) return off.error();
  bool lost = false;
  {
    std::lock_guard lock(mutex_);
    auto& h = hosts_[host.uuid];
    lost = *off && h.powered;
    h.powered = !*off;
  }
  if (lost) onPowerLost_(host.uuid);
  if (*off) {
    return makeError(
        ErrorCode::kUnavailable, "simulated power failure",
        "host " + host.managementIp + " carries the system tag " + std::string(kPoweredOffTag));
  }
  return {};
}

Status SimulatorDriver::ping(const HostSpec& host) {
  if (pingLatency_.count() > 0) std::this_thread::sleep_for(pingLatency_);
  auto powered = checkPower(host);
  auto failing = carriesSystemTag(db_, host.uuid, kFailPingTag);
  if (!failing) return failing.error();
  {
    // A host this process has not seen connect (the server restarted) is simulated as up.
    std::lock_guard lock(mutex_);
    hosts_[host.uuid].up = powered && !*failing;
  }
  if (!powered) return powered;
  if (*failing) {
    return makeError(
        ErrorCode::kUnavailable, "simulated ping failure",
        "host " + host.managementIp + " carries the system tag " + std::string(kFailPingTag));
  }
  return {};
}

void SimulatorDriver::forget(const std::string& uuid) {
  std::lock_guard lock(mutex_);
  hosts_.erase(uuid);
}

std::size_t SimulatorDriver::hostCount() const {
  std::lock_guard lock(mutex_);
  return hosts_.size();
}

}  // namespace strato::simulator
