// Declared inventory schemas, by name. Filled while plugins load (all or nothing per plugin),
// read-only afterwards; lookups return pointers that stay valid for the node's life.
#pragma once

#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "strato/inventory.h"
#include "strato/result.h"

namespace strato::kernel {

class InventoryCatalog {
 public:
  // Checks names, tables and fields; relation targets are checked by checkRelations() once every
  // plugin is loaded.
  Status checkAll(const std::vector<InventorySchema>& schemas, const std::string& owner) const;
  Status addAll(const std::vector<InventorySchema>& schemas, const std::string& owner);
  // Every relation names a known inventory and fields that exist on both sides.
  Status checkRelations() const;

  const InventorySchema* find(std::string_view name) const;
  // By tag resource type, e.g. "ZoneVO".
  const InventorySchema* findByResourceType(std::string_view resourceType) const;
  std::vector<std::string> names() const;

 private:
  Status checkLocked(const std::vector<InventorySchema>& schemas, const std::string& owner) const;

  mutable std::shared_mutex mutex_;
  std::map<std::string, std::unique_ptr<InventorySchema>, std::less<>> schemas_;
};

const InventoryField* findField(const InventorySchema& schema, std::string_view name);
const InventoryRelation* findRelation(const InventorySchema& schema, std::string_view name);
inline const std::string& columnOf(const InventoryField& f) {
  return f.column.empty() ? f.name : f.column;
}

}  // namespace strato::kernel
