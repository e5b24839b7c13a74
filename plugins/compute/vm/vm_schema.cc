#include "vm_schema.h"

namespace strato::vm {
namespace {

// hostUuid is set while the VM holds the host's CPU and memory (Starting to Stopping); a stopped
// VM keeps lastHostUuid. No foreign keys: the rows of other plugins are reached by uuid.
Migration tables() {
  return {1,
          "VMs and their NICs",
          {"CREATE TABLE vm_instance (uuid VARCHAR(32) PRIMARY KEY, name VARCHAR(255) NOT NULL, "
           "description TEXT, zoneUuid VARCHAR(32), clusterUuid VARCHAR(32), "
           "hostUuid VARCHAR(32), lastHostUuid VARCHAR(32), imageUuid VARCHAR(32), "
           "instanceOfferingUuid VARCHAR(32), rootVolumeUuid VARCHAR(32), "
           "defaultL3NetworkUuid VARCHAR(32), type VARCHAR(32) NOT NULL, "
           "hypervisorType VARCHAR(64), platform VARCHAR(64), cpuNum INTEGER NOT NULL, "
           "cpuSpeed BIGINT NOT NULL DEFAULT 0, memorySize BIGINT NOT NULL, "
           "allocatorStrategy VARCHAR(128), state VARCHAR(32) NOT NULL, "
           "createDate BIGINT NOT NULL, lastOpDate BIGINT NOT NULL)",
           "CREATE INDEX vm_instance_host ON vm_instance (hostUuid)",
           "CREATE INDEX vm_instance_zone ON vm_instance (zoneUuid)",
           "CREATE INDEX vm_instance_name ON vm_instance (name)",
           "CREATE INDEX vm_instance_state ON vm_instance (state)",
           "CREATE TABLE vm_nic (uuid VARCHAR(32) PRIMARY KEY, vmInstanceUuid VARCHAR(32) NOT NULL, "
           "l3NetworkUuid VARCHAR(32) NOT NULL, usedIpUuid VARCHAR(32), ip VARCHAR(64), "
           "mac VARCHAR(17) NOT NULL UNIQUE, netmask VARCHAR(64), gateway VARCHAR(64), "
           "ipVersion INTEGER, deviceId INTEGER NOT NULL, type VARCHAR(32) NOT NULL, "
           "internalName VARCHAR(64) NOT NULL, createDate BIGINT NOT NULL, "
           "lastOpDate BIGINT NOT NULL)",
           "CREATE INDEX vm_nic_vm ON vm_nic (vmInstanceUuid)",
           "CREATE INDEX vm_nic_l3 ON vm_nic (l3NetworkUuid)"}};
}

}  // namespace

void addSchema(Registrar& r) {
  r.addMigrations({tables()});
  using F = FieldType;
  InventorySchema nic{"VmNic",
                      "vm_nic",
                      "org.zstack.header.vm.VmNicInventory",
                      {{"uuid"},
                       {"vmInstanceUuid"},
                       {"usedIpUuid"},
                       {"l3NetworkUuid"},
                       {"ip"},
                       {"mac"},
                       {"netmask"},
                       {"gateway"},
                       {"ipVersion", F::kInteger},
                       {"deviceId", F::kInteger},
                       {"type"},
                       {"internalName"},
                       {"createDate", F::kDate},
                       {"lastOpDate", F::kDate}},
                      {{"vmInstance", "VmInstance", "vmInstanceUuid", "uuid"},
                       {"l3Network", "L3Network", "l3NetworkUuid", "uuid"}}};
  nic.ownedByAccount = true;
  r.addInventory(nic);

  InventorySchema vm{"VmInstance",
                     "vm_instance",
                     "org.zstack.header.vm.VmInstanceInventory",
                     {{"uuid"},
                      {"name"},
                      {"description"},
                      {"zoneUuid"},
                      {"clusterUuid"},
                      {"imageUuid"},
                      {"hostUuid"},
                      {"lastHostUuid"},
                      {"instanceOfferingUuid"},
                      {"rootVolumeUuid"},
                      {"platform"},
                      {"defaultL3NetworkUuid"},
                      {"type"},
                      {"hypervisorType"},
                      {"memorySize", F::kInteger},
                      {"cpuNum", F::kInteger},
                      {"cpuSpeed", F::kInteger},
                      {"allocatorStrategy"},
                      {"createDate", F::kDate},
                      {"lastOpDate", F::kDate},
                      {"state"}},
                     {{"zone", "Zone", "zoneUuid", "uuid"},
                      {"cluster", "Cluster", "clusterUuid", "uuid"},
                      {"host", "Host", "hostUuid", "uuid"},
                      {"image", "Image", "imageUuid", "uuid"},
                      {"instanceOffering", "InstanceOffering", "instanceOfferingUuid", "uuid"},
                      {"rootVolume", "Volume", "rootVolumeUuid", "uuid"},
                      {"vmNics", "VmNic", "uuid", "vmInstanceUuid"},
                      {"allVolumes", "Volume", "uuid", "vmInstanceUuid"}}};
  vm.ownedByAccount = true;
  vm.lists = {{"vmNics", "VmNic", "uuid", "vmInstanceUuid", "deviceId"},
              {"allVolumes", "Volume", "uuid", "vmInstanceUuid", "deviceId"}};
  r.addInventory(vm);
}

}  // namespace strato::vm
