#include "offering_kinds.h"

namespace strato::offering {
namespace {

using F = FieldType;

// Kept in step with GetHostAllocatorStrategies (plugins/hardware/host/host_apis.cc): the
// strategies ZStack exposes, which the VM allocator will implement. An offering naming another
// would only fail later, when a VM is placed with it.
const std::vector<std::string> kHostAllocatorStrategies{"DefaultHostAllocatorStrategy",
                                                        "LastHostPreferredAllocatorStrategy",
                                                        "LeastVmPreferredHostAllocatorStrategy",
                                                        "MinimumCPUUsageHostAllocatorStrategy",
                                                        "MinimumMemoryUsageHostAllocatorStrategy",
                                                        "MaximumCPUUsageHostAllocatorStrategy",
                                                        "MaximumMemoryUsageHostAllocatorStrategy"};

// Kept in step with GetPrimaryStorageAllocatorStrategies (plugins/storage/primary/ps_apis.cc).
const std::vector<std::string> kPrimaryStorageAllocatorStrategies{
    "DefaultPrimaryStorageAllocationStrategy", "LocalStorageAllocatorStrategy"};

const NumberField kSortKey{"sortKey", ParamType::kInteger, false, INT32_MIN, INT32_MAX, 0};

OfferingKind makeInstanceOfferingKind() {
  OfferingKind k;
  k.label = "instance offering";
  k.noun = "InstanceOffering";
  k.resourceType = "InstanceOfferingVO";
  k.schema = {"InstanceOffering",
              "instance_offering",
              "org.zstack.header.configuration.InstanceOfferingInventory",
              {{"uuid"},
               {"name"},
               {"description"},
               {"cpuNum", F::kInteger},
               {"cpuSpeed", F::kInteger},
               {"memorySize", F::kInteger},
               {"type"},
               {"allocatorStrategy"},
               {"sortKey", F::kInteger},
               {"createDate", F::kDate},
               {"lastOpDate", F::kDate},
               {"state"}}};
  k.schema.ownedByAccount = true;
  // ZStack's APICreateInstanceOfferingMsg bounds: 1..1024 CPUs, at least one byte of memory
  // (the manual's own example asks for 2 MiB, so no larger floor).
  k.numbers = {{"cpuNum", ParamType::kInteger, true, 1, 1024, 0},
               {"memorySize", ParamType::kLong, true, 1, INT64_MAX, 0},
               kSortKey};
  // VirtualRouter offerings have their own create API (section 5.3), in the virtual router
  // plugin; this one makes user VM offerings only.
  k.types = {"UserVm"};
  k.strategyParam = "allocatorStrategy";
  k.strategies = kHostAllocatorStrategies;
  k.strategyUpdatable = true;
  return k;
}

OfferingKind makeDiskOfferingKind() {
  OfferingKind k;
  k.label = "disk offering";
  k.noun = "DiskOffering";
  k.resourceType = "DiskOfferingVO";
  k.schema = {"DiskOffering",
              "disk_offering",
              "org.zstack.header.configuration.DiskOfferingInventory",
              {{"uuid"},
               {"name"},
               {"description"},
               {"diskSize", F::kInteger},
               {"sortKey", F::kInteger},
               {"state"},
               {"type"},
               {"createDate", F::kDate},
               {"lastOpDate", F::kDate},
               {"allocatorStrategy"}}};
  k.schema.ownedByAccount = true;
  k.numbers = {{"diskSize", ParamType::kLong, true, 1, INT64_MAX, 0}, kSortKey};
  k.types = {"DefaultDiskOfferingType"};
  k.strategyParam = "allocationStrategy";
  k.strategies = kPrimaryStorageAllocatorStrategies;
  return k;
}

}  // namespace

const OfferingKind& instanceOfferingKind() {
  static const OfferingKind kind = makeInstanceOfferingKind();
  return kind;
}

const OfferingKind& diskOfferingKind() {
  static const OfferingKind kind = makeDiskOfferingKind();
  return kind;
}

std::vector<ApiParam> createParams(const OfferingKind& kind) {
  std::vector<ApiParam> params{{"name", ParamType::kString, true},
                               {"description", ParamType::kString, false}};
  for (const auto& n : kind.numbers) params.push_back({n.name, n.type, n.required});
  params.push_back({kind.strategyParam, ParamType::kString, false, kind.strategies});
  params.push_back({"type", ParamType::kString, false, kind.types});
  params.push_back({"resourceUuid", ParamType::kString, false});
  return params;
}

std::vector<ApiParam> updateParams(const OfferingKind& kind) {
  std::vector<ApiParam> params{{"uuid", ParamType::kString, true},
                               {"name", ParamType::kString, false},
                               {"description", ParamType::kString, false}};
  if (kind.strategyUpdatable) {
    params.push_back({"allocatorStrategy", ParamType::kString, false, kind.strategies});
  }
  return params;
}

std::vector<Migration> migrations() {
  return {{1,
           "instance and disk offerings",
           {"CREATE TABLE instance_offering (uuid VARCHAR(32) PRIMARY KEY, "
            "name VARCHAR(255) NOT NULL, description TEXT, cpuNum INTEGER NOT NULL, "
            "cpuSpeed INTEGER NOT NULL DEFAULT 0, memorySize BIGINT NOT NULL, "
            "type VARCHAR(64) NOT NULL, allocatorStrategy VARCHAR(64) NOT NULL, "
            "sortKey INTEGER NOT NULL DEFAULT 0, state VARCHAR(32) NOT NULL, "
            "createDate BIGINT NOT NULL, lastOpDate BIGINT NOT NULL)",
            "CREATE INDEX instance_offering_name ON instance_offering (name)",
            "CREATE TABLE disk_offering (uuid VARCHAR(32) PRIMARY KEY, "
            "name VARCHAR(255) NOT NULL, description TEXT, diskSize BIGINT NOT NULL, "
            "sortKey INTEGER NOT NULL DEFAULT 0, type VARCHAR(64) NOT NULL, "
            "allocatorStrategy VARCHAR(64) NOT NULL, state VARCHAR(32) NOT NULL, "
            "createDate BIGINT NOT NULL, lastOpDate BIGINT NOT NULL)",
            "CREATE INDEX disk_offering_name ON disk_offering (name)"}}};
}

}  // namespace strato::offering
