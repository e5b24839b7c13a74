// ChangeHostState (4.3.4): enable -> Enabled, disable -> Disabled, maintain -> PreMaintenance,
// the host's VMs leave (HostEvacuator), -> Maintenance.
#pragma once

#include <strato/sdk.h>

namespace strato::host {

struct MaintenanceContext {
  MessageBus& bus;
  Database& db;
  const GlobalConfigView& config;
  const ExtensionLookup& extensions;
  Logger& logger;
};

void changeHostState(const MaintenanceContext& c, const Json& params, Replier reply);

}  // namespace strato::host
