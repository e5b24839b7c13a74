// Guests of simulator hosts: a map entry each, so thousands of VMs cost little. Failures are
// injected with system tags on the host, read at each call:
//   - "simulator::failStartVm": start() fails (CreateVmInstance then rolls back);
//   - "simulator::failMigrateVm" on the destination host: migrate() fails;
//   - "simulator::failHotPlug": attaching a volume, NIC or ISO to a guest there fails;
// and config plugin.simulator.vmLatencyMs makes every call sleep that long first, like an agent.
#pragma once

#include <chrono>
#include <mutex>
#include <map>
#include <set>
#include <string>
#include <unordered_map>

#include <strato/sdk.h>

namespace strato::simulator {

inline constexpr std::string_view kFailStartVmTag = "simulator::failStartVm";
inline constexpr std::string_view kFailMigrateVmTag = "simulator::failMigrateVm";
inline constexpr std::string_view kFailHotPlugTag = "simulator::failHotPlug";

class SimulatorVmDriver : public VmDriver {
 public:
  SimulatorVmDriver(Database& db, std::chrono::milliseconds latency) : db_(db), latency_(latency) {}

  Status start(const VmSpec& vm) override;
  Status stop(const VmSpec& vm, bool graceful) override;
  Status reboot(const VmSpec& vm) override;
  Status pause(const VmSpec& vm) override;
  Status resume(const VmSpec& vm) override;
  Status destroy(const VmSpec& vm) override;
  Status migrate(const VmSpec& vm, const std::string& toHostUuid,
                 const std::string& toManagementIp) override;
  Status attachVolume(const VmSpec& vm, const VmVolumeSpec& volume) override;
  Status detachVolume(const VmSpec& vm, const VmVolumeSpec& volume) override;
  Status attachNic(const VmSpec& vm, const VmNicSpec& nic) override;
  Status detachNic(const VmSpec& vm, const VmNicSpec& nic) override;
  Status setNicQos(const VmSpec& vm, const VmNicSpec& nic) override;
  Status insertIso(const VmSpec& vm) override;
  Status ejectIso(const VmSpec& vm) override;
  Status changePassword(const VmSpec& vm, const std::string& user,
                        const std::string& password) override;
  Result<ConsoleAddress> consoleAddress(const VmSpec& vm) override;
  Result<std::string> powerState(const VmSpec& vm) override;

  // The host is gone, and its guests with it.
  void forgetHost(const std::string& hostUuid);
  // The host lost power: its guests are stopped, and stay so when it comes back.
  void powerLost(const std::string& hostUuid);

 private:
  enum class Power { kRunning, kPaused, kStopped };
  struct Guest {
    std::string hostUuid;
    Power power = Power::kStopped;
    std::set<std::string> plugged;  // hot-plugged volumes and NICs
    std::map<std::string, std::string> passwords;  // by guest user
  };

  Status failIfTagged(const std::string& hostUuid, std::string_view tag, const std::string& what);
  // The guest must be defined on vm.hostUuid and in one of the `from` powers; it goes to `to`.
  Status change(const VmSpec& vm, std::initializer_list<Power> from, Power to, const char* what);
  void pauseForLatency() const;
  // Plugging `device` in (or out) needs the guest running or paused on vm.hostUuid.
  Status hotPlug(const VmSpec& vm, const std::string& device, bool in);
  // The guest as the management node records it (running on vm.hostUuid) when this process
  // knows none (after a restart); kConflict when it is stopped or elsewhere. Needs mutex_.
  Result<Guest*> runningGuest(const VmSpec& vm);

  Database& db_;
  std::chrono::milliseconds latency_;
  std::mutex mutex_;
  std::unordered_map<std::string, Guest> guests_;
};

}  // namespace strato::simulator
