// The VM state machine as one table: for each operation, the states it may start from, the state
// the VM shows while it runs, and the state it ends in. An operation asked for in any other state
// is refused with a message naming the state and the states that would allow it.
#pragma once

#include <string>
#include <vector>

#include <strato/sdk.h>

namespace strato::vm {

enum class VmOp { kStart, kStop, kReboot, kPause, kResume, kMigrate, kDestroy, kRecover, kExpunge,
                  kChangeSpec, kAttachDevice, kDetachDevice, kChangeNic, kReimage };

struct Transition {
  const char* name;                 // as in errors: "start"
  std::vector<std::string> from;    // states it may start from
  std::string during;               // shown while it runs; empty = none
  std::string after;                // on success; empty = the row is gone
};

const Transition& transitionOf(VmOp op);

// kConflict unless `op` may start from `state`.
Status checkAllowed(VmOp op, const std::string& state, const std::string& vmUuid);

}  // namespace strato::vm
