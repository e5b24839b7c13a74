#include "simulator_vm_driver.h"

#include <algorithm>
#include <thread>

namespace strato::simulator {

void SimulatorVmDriver::pauseForLatency() const {
  if (latency_.count() > 0) std::this_thread::sleep_for(latency_);
}

Status SimulatorVmDriver::failIfTagged(const std::string& hostUuid, std::string_view tag,
                                       const std::string& what) {
  auto tagged = carriesSystemTag(db_, hostUuid, tag);
  if (!tagged) return tagged.error();
  if (!*tagged) return {};
  return makeError(ErrorCode::kUnavailable, "simulated failure to " + what,
                   "host " + hostUuid + " carries the system tag " + std::string(tag));
}

Status SimulatorVmDriver::start(const VmSpec& vm) {
  pauseForLatency();
  if (auto failed = failIfTagged(vm.hostUuid, kFailStartVmTag, "start VM " + vm.uuid); !failed)
    return failed;
  std::lock_guard lock(mutex_);
  Guest& guest = guests_[vm.uuid];
  if (!guest.hostUuid.empty() && guest.hostUuid != vm.hostUuid && guest.power != Power::kStopped) {
    return makeError(ErrorCode::kConflict, "VM " + vm.uuid + " runs on host " + guest.hostUuid);
  }
  guest.hostUuid = vm.hostUuid;
  if (guest.power == Power::kStopped) guest.power = Power::kRunning;
  return {};
}

Status SimulatorVmDriver::change(const VmSpec& vm, std::initializer_list<Power> from, Power to,
                                 const char* what) {
  pauseForLatency();
  std::lock_guard lock(mutex_);
  auto it = guests_.find(vm.uuid);
  // After a restart the process knows no guest: the management node's record is taken as true.
  if (it == guests_.end()) it = guests_.emplace(vm.uuid, Guest{vm.hostUuid, *from.begin()}).first;
  Guest& guest = it->second;
  if (guest.power == to) return {};
  if (std::find(from.begin(), from.end(), guest.power) == from.end()) {
    return makeError(ErrorCode::kConflict,
                     std::string("cannot ") + what + " VM " + vm.uuid + " in its present power state");
  }
  guest.power = to;
  return {};
}

Status SimulatorVmDriver::stop(const VmSpec& vm, bool) {
  return change(vm, {Power::kRunning, Power::kPaused}, Power::kStopped, "stop");
}
Status SimulatorVmDriver::reboot(const VmSpec& vm) {
  return change(vm, {Power::kRunning}, Power::kRunning, "reboot");
}
Status SimulatorVmDriver::pause(const VmSpec& vm) {
  return change(vm, {Power::kRunning}, Power::kPaused, "pause");
}
Status SimulatorVmDriver::resume(const VmSpec& vm) {
  return change(vm, {Power::kPaused}, Power::kRunning, "resume");
}

Status SimulatorVmDriver::destroy(const VmSpec& vm) {
  pauseForLatency();
  std::lock_guard lock(mutex_);
  guests_.erase(vm.uuid);
  return {};
}

Status SimulatorVmDriver::migrate(const VmSpec& vm, const std::string& toHostUuid,
                                  const std::string&) {
  pauseForLatency();
  if (auto failed = failIfTagged(toHostUuid, kFailMigrateVmTag, "migrate VM " + vm.uuid); !failed)
    return failed;
  std::lock_guard lock(mutex_);
  Guest& guest = guests_[vm.uuid];
  guest.hostUuid = toHostUuid;
  guest.power = Power::kRunning;
  return {};
}

Status SimulatorVmDriver::hotPlug(const VmSpec& vm, const std::string& device, bool in) {
  pauseForLatency();
  if (in) {
    if (auto failed = failIfTagged(vm.hostUuid, kFailHotPlugTag, "plug " + device + " into VM " + vm.uuid);
        !failed)
      return failed;
  }
  std::lock_guard lock(mutex_);
  auto guest = runningGuest(vm);
  if (!guest) return guest.error();
  if (in) {
    (*guest)->plugged.insert(device);
  } else {
    (*guest)->plugged.erase(device);
  }
  return {};
}

Result<SimulatorVmDriver::Guest*> SimulatorVmDriver::runningGuest(const VmSpec& vm) {
  auto it = guests_.find(vm.uuid);
  if (it == guests_.end()) it = guests_.emplace(vm.uuid, Guest{vm.hostUuid, Power::kRunning}).first;
  if (it->second.power == Power::kStopped || it->second.hostUuid != vm.hostUuid)
    return makeError(ErrorCode::kConflict, "VM " + vm.uuid + " does not run on host " + vm.hostUuid);
  return &it->second;
}

// A guest this process never saw runs as recorded (after a restart), as runningGuest assumes.
Result<std::string> SimulatorVmDriver::powerState(const VmSpec& vm) {
  pauseForLatency();
  std::lock_guard lock(mutex_);
  auto it = guests_.find(vm.uuid);
  if (it == guests_.end()) return std::string("Running");
  if (it->second.hostUuid != vm.hostUuid || it->second.power == Power::kStopped) {
    return std::string("Stopped");
  }
  return std::string(it->second.power == Power::kPaused ? "Paused" : "Running");
}

// Shaping a NIC is plugging a new limit into it: the same checks and injected failure.
Status SimulatorVmDriver::setNicQos(const VmSpec& vm, const VmNicSpec& nic) {
  return hotPlug(vm, "limits of NIC " + nic.uuid, true);
}

Status SimulatorVmDriver::insertIso(const VmSpec& vm) {
  return hotPlug(vm, "CD-ROM", true);
}
Status SimulatorVmDriver::ejectIso(const VmSpec& vm) { return hotPlug(vm, "CD-ROM", false); }

Status SimulatorVmDriver::changePassword(const VmSpec& vm, const std::string& user,
                                         const std::string& password) {
  pauseForLatency();
  std::lock_guard lock(mutex_);
  auto guest = runningGuest(vm);
  if (!guest) return guest.error();
  if ((*guest)->power != Power::kRunning)
    return makeError(ErrorCode::kConflict, "the guest agent of paused VM " + vm.uuid + " does not answer");
  (*guest)->passwords[user] = password;
  return {};
}

// Every guest of a host gets its own VNC port, as QEMU's -vnc :N would.
Result<ConsoleAddress> SimulatorVmDriver::consoleAddress(const VmSpec& vm) {
  std::lock_guard lock(mutex_);
  auto guest = runningGuest(vm);
  if (!guest) return guest.error();
  int display = 0;
  for (const auto& [uuid, other] : guests_)
    if (other.hostUuid == vm.hostUuid && uuid < vm.uuid) ++display;
  return ConsoleAddress{vm.hostManagementIp, 5900 + display, "vnc"};
}

Status SimulatorVmDriver::attachVolume(const VmSpec& vm, const VmVolumeSpec& volume) {
  return hotPlug(vm, "volume " + volume.uuid, true);
}
Status SimulatorVmDriver::detachVolume(const VmSpec& vm, const VmVolumeSpec& volume) {
  return hotPlug(vm, "volume " + volume.uuid, false);
}
Status SimulatorVmDriver::attachNic(const VmSpec& vm, const VmNicSpec& nic) {
  return hotPlug(vm, "NIC " + nic.uuid, true);
}
Status SimulatorVmDriver::detachNic(const VmSpec& vm, const VmNicSpec& nic) {
  return hotPlug(vm, "NIC " + nic.uuid, false);
}

void SimulatorVmDriver::forgetHost(const std::string& hostUuid) {
  std::lock_guard lock(mutex_);
  std::erase_if(guests_, [&](const auto& entry) { return entry.second.hostUuid == hostUuid; });
}

void SimulatorVmDriver::powerLost(const std::string& hostUuid) {
  std::lock_guard lock(mutex_);
  for (auto& [uuid, guest] : guests_) {
    if (guest.hostUuid == hostUuid) guest.power = Power::kStopped;
  }
}

}  // namespace strato::simulator
