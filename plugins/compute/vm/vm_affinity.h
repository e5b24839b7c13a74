// Affinity groups (3.4): VMs of a group are spread over hosts. antiHard: no two members on one
// host, or no placement; antiSoft: a host without members first, any host last. A VM belongs to
// at most one group, joins with AddVmToAffinityGroup or the "affinityGroupUuid::<uuid>" system
// tag of CreateVmInstance, and leaves when removed or expunged. A Disabled group places nothing.
//
// Placements of one group's members (creations, starts, migrations) and additions to it run one
// at a time in the group's queue: each sees the hosts the others took, so two creations at once
// cannot both land on one host of an antiHard group.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "vm_allocator.h"
#include "vm_service.h"

namespace strato::vm {

void addAffinitySchema(Registrar& r);
void addAffinityApis(Registrar& r, const std::shared_ptr<VmService>& service);

// Candidates for `request`, then (when `reserve`) the first that takes the VM's CPU and memory;
// through the group's queue when the VM is in an Enabled group. Not blocking.
void placeVm(const std::shared_ptr<VmService>& s, const std::string& vmUuid, HostRequest request,
             bool reserve, std::function<void(Result<HostChoice>)> done);

// The VM joins a group (AddVmToAffinityGroup, or CreateVmInstance's tag). Blocking.
Status joinAffinityGroup(Database& db, const std::string& groupUuid, const std::string& vmUuid);
// The VM leaves its group (expunged, or its creation failed). Blocking.
Status leaveAffinityGroups(Database& db, const std::string& vmUuid);

}  // namespace strato::vm
