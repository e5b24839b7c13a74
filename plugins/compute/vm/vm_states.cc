#include "vm_states.h"

#include <algorithm>
#include <array>

namespace strato::vm {
namespace {

// Unknown and Crashed are what a host reports of a guest it lost: the VM can still be stopped or
// destroyed. Created is a VM made with strategy CreateStopped that never ran.
// Attaching and detaching volumes and NICs changes no state: the call is queued on the VM, and a
// guest that runs (or is paused) gets the device hot-plugged. A destroyed VM may still give up its
// data volumes and networks before it is expunged.
const std::array<Transition, 14> kTable{{
    {"start", {"Created", "Stopped"}, "Starting", "Running"},
    {"stop", {"Running", "Paused", "Unknown", "Crashed"}, "Stopping", "Stopped"},
    {"reboot", {"Running"}, "Rebooting", "Running"},
    {"pause", {"Running"}, "Pausing", "Paused"},
    {"resume", {"Paused"}, "Resuming", "Running"},
    {"migrate", {"Running"}, "Migrating", "Running"},
    {"destroy",
     {"Created", "Stopped", "Running", "Paused", "Unknown", "Crashed"},
     "Destroying",
     "Destroyed"},
    {"recover", {"Destroyed"}, "", "Stopped"},
    {"expunge", {"Destroyed"}, "Expunging", ""},
    {"change the CPU or memory of", {"Created", "Stopped"}, "", ""},
    {"attach a device to", {"Created", "Stopped", "Running", "Paused"}, "", ""},
    {"detach a device from", {"Created", "Stopped", "Running", "Paused", "Destroyed"}, "", ""},
    // A guest would not notice its address or MAC changing under it.
    {"change the address of a NIC of", {"Created", "Stopped"}, "", ""},
    {"replace the root volume of", {"Stopped"}, "", ""},
}};

}  // namespace

const Transition& transitionOf(VmOp op) { return kTable.at(static_cast<std::size_t>(op)); }

Status checkAllowed(VmOp op, const std::string& state, const std::string& vmUuid) {
  const Transition& t = transitionOf(op);
  if (std::find(t.from.begin(), t.from.end(), state) != t.from.end()) return {};
  std::string allowed;
  for (const auto& s : t.from) allowed += (allowed.empty() ? "" : ", ") + s;
  return makeError(ErrorCode::kConflict,
                   std::string("cannot ") + t.name + " VM " + vmUuid + " in state " + state,
                   "allowed in states: " + allowed);
}

}  // namespace strato::vm
