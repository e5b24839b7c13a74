// A VM's NICs: one address taken on an L3 network and one vm_nic row, for CreateVmInstance and
// AttachL3NetworkToVm.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "vm_service.h"

namespace strato::vm {

struct NicRequest {
  std::string vmUuid;
  std::string l3NetworkUuid;
  int deviceId = 0;
  std::string staticIp;   // empty: the L3 network picks
  std::string customMac;  // empty: a random fa:xx:xx:xx:xx:xx
};

// Takes the address (l3.AllocateIp), then inserts the NIC. `done` gets the NIC (its uuid and its
// used IP's uuid); on failure nothing is left: an address taken is given back.
void allocateNic(const std::shared_ptr<VmService>& s, NicRequest request,
                 std::function<void(Result<NicRecord>)> done);

}  // namespace strato::vm
