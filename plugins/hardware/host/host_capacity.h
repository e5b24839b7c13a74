// CPU and memory that hosts offer and VMs take from them (kReserveHostCapacityMessage and
// kReleaseHostCapacityMessage of <strato/vm.h>). Each reservation is one conditional UPDATE, so
// concurrent reservations on one host never take more than it offers, also across management
// nodes.
#pragma once

#include <strato/sdk.h>

namespace strato::host {

Reply reserveCapacity(Database& db, const Json& body);
Reply releaseCapacity(Database& db, const Json& body);

// How far VMs may over-commit hosts, by ZStack's global configs: a host offers its cores times
// `cpu` (host / cpu.overProvisioning.ratio) and its memory times `memory` (mevoco /
// overProvisioning.memory). Both default to 1 here (ZStack's CPU default is 10): nothing is
// over-committed unless an administrator says so.
struct OverProvisioning {
  std::int64_t cpu = 1;
  double memory = 1.0;
};
inline constexpr std::string_view kCpuRatioCategory = "host";
inline constexpr std::string_view kCpuRatioName = "cpu.overProvisioning.ratio";
inline constexpr std::string_view kMemoryRatioCategory = "mevoco";
inline constexpr std::string_view kMemoryRatioName = "overProvisioning.memory";
OverProvisioning overProvisioning(const GlobalConfigView& configs);
void declareOverProvisioning(Registrar& r);

// Records what connect() learnt: the cores and memory the host offers; what VMs hold stays held.
Status applyFacts(Database& db, const std::string& uuid, const HostFacts& facts,
                  const OverProvisioning& ratios);
// Every host's offer follows changed ratios; what VMs hold stays held. So a lowered ratio can
// leave a host with less than nothing available: it takes no VM until enough of its VMs go.
Status applyOverProvisioning(Database& db, const OverProvisioning& ratios);

}  // namespace strato::host
