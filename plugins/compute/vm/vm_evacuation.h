// Host maintenance: the HostEvacuator the host plugin calls when a host enters maintenance.
#pragma once

#include <strato/sdk.h>

namespace strato::vm {

// Moves the VMs off a host one after another, each as a MigrateVm (or StopVmInstance) queued on
// the VM, so an evacuation never races an API call on the same VM.
class VmEvacuator : public HostEvacuator {
 public:
  VmEvacuator(MessageBus& bus, Database& db, const GlobalConfigView& config)
      : bus_(bus), db_(db), config_(config) {}
  void evacuate(const std::string& hostUuid, bool stopOnMigrationFailure,
                std::function<void(Result<Json>)> done) override;

 private:
  MessageBus& bus_;
  Database& db_;
  const GlobalConfigView& config_;
};

}  // namespace strato::vm
