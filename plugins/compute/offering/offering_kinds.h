// The two kinds of offering (sections 3.5 and 3.6 of the ZStack manual): what is stored, what a
// create takes and checks, and the inventories. Instance and disk offerings behave alike (name,
// description, state, sortKey, type, allocator strategy, sizes fixed at creation), so one service
// serves both from these descriptions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <strato/sdk.h>

namespace strato::offering {

// A number a create sets from the parameter of the same name, with ZStack's bounds; fixed after.
struct NumberField {
  std::string name;
  ParamType type = ParamType::kInteger;
  bool required = false;
  std::int64_t min = 0;
  std::int64_t max = INT32_MAX;
  std::int64_t defaultValue = 0;
};

struct OfferingKind {
  std::string label;         // "instance offering", in messages and logs
  std::string noun;          // "InstanceOffering": the APIs are Create<noun>, Delete<noun>, ...
  std::string resourceType;  // "InstanceOfferingVO", for cascades and tags
  InventorySchema schema;
  std::vector<NumberField> numbers;
  std::vector<std::string> types;  // the first is the default
  // CreateDiskOffering spells it allocationStrategy, the inventories allocatorStrategy.
  std::string strategyParam;
  std::vector<std::string> strategies;  // the first is the default
  bool strategyUpdatable = false;       // UpdateInstanceOffering takes one, UpdateDiskOffering not
};

const OfferingKind& instanceOfferingKind();
const OfferingKind& diskOfferingKind();

// The parameters of Create<noun> and Update<noun>, with the allowed types and strategies, so the
// kernel refuses others with a 400 naming the parameter before any handler runs.
std::vector<ApiParam> createParams(const OfferingKind& kind);
std::vector<ApiParam> updateParams(const OfferingKind& kind);

std::vector<Migration> migrations();

}  // namespace strato::offering
