// The VM settings of section 3.1 that ZStack keeps as system tags on the VM: ssh key, console
// password, hostname, boot order, static IPs, guest agent, RDP and monitor number (3.1.29-35,
// 3.1.37-39, 3.1.43-44, 3.1.47-48, 3.1.55-60), and
// the calls that ask the guest: ChangeVmPassword (3.1.32), GetVmConsoleAddress (3.1.36). A
// setting given at creation ("hostname::web1" in CreateVmInstance's systemTags) is the same tag.
// The blocking ones run on the blocking pool, queued on the VM.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "vm_service.h"

namespace strato::vm {

// ZStack's tag of the ISO in a VM's CD-ROM: "iso::<imageUuid>".
inline constexpr const char* kIsoTag = "iso";

// The HA level tag ("ha::NeverStop"), read by vm_tracking.cc.
inline constexpr const char* kHaLevelTag = "ha";
inline constexpr const char* kNeverStop = "NeverStop";
inline constexpr const char* kOnHostFailure = "OnHostFailure";
// The VM's HA level, empty without one (vm_ha.cc).
std::string haLevelOf(Database& db, const std::string& vmUuid);
// Whether the VM is started again when its host is found down: either HA level.
bool haRestarts(Database& db, const std::string& vmUuid);

struct SettingApi {
  const char* name;
  bool returnsVm;  // replies {"inventory": the VM}
  std::function<Reply(VmService&, const Json& params)> run;
};
const std::vector<SettingApi>& settingApis();

// SetVmStaticIp: the NIC on the network takes the address now (the VM must be stopped), and the
// tag keeps it. UpdateVmNicMac (3.1.63) likewise changes a stopped VM's NIC.
void setStaticIp(const std::shared_ptr<VmService>& s, const Json& params, Replier reply);
Reply updateNicMac(VmService& s, const Json& params);

}  // namespace strato::vm
