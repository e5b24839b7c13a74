#include "query/inventory_catalog.h"

#include <cctype>
#include <mutex>
#include <set>

namespace strato::kernel {
namespace {

// Names end up in SQL as identifiers, so they are restricted to [A-Za-z0-9_].
bool isIdentifier(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  }
  return true;
}

}  // namespace

const InventoryField* findField(const InventorySchema& schema, std::string_view name) {
  for (const auto& f : schema.fields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

const InventoryRelation* findRelation(const InventorySchema& schema, std::string_view name) {
  for (const auto& r : schema.relations) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

Status InventoryCatalog::checkAll(const std::vector<InventorySchema>& schemas,
                                  const std::string& owner) const {
  std::shared_lock lock(mutex_);
  return checkLocked(schemas, owner);
}

Status InventoryCatalog::checkLocked(const std::vector<InventorySchema>& schemas,
                                     const std::string& owner) const {
  std::set<std::string> batch;
  for (const auto& s : schemas) {
    auto bad = [&](const std::string& what) {
      return makeError(ErrorCode::kInvalidArgument,
                       "inventory '" + s.name + "' declared by " + owner + ": " + what);
    };
    if (!isIdentifier(s.name) || !isIdentifier(s.table))
      return bad("name and table must be identifiers");
    if (schemas_.count(s.name) || !batch.insert(s.name).second) {
      return makeError(ErrorCode::kAlreadyExists, "duplicate inventory '" + s.name + "'", owner);
    }
    std::set<std::string> names;
    for (const auto& f : s.fields) {
      if (!isIdentifier(f.name) || !isIdentifier(columnOf(f)))
        return bad("bad field '" + f.name + "'");
      if (!names.insert(f.name).second) return bad("field '" + f.name + "' declared twice");
    }
    if (s.ownedByAccount && !findField(s, "uuid"))
      return bad("an owned inventory needs a uuid field");
    if (!s.accountField.empty() && !findField(s, s.accountField)) {
      return bad("accountField '" + s.accountField + "' is not a field");
    }
    for (const auto& r : s.relations) {
      if (!isIdentifier(r.name) || !names.insert(r.name).second) {
        return bad("relation '" + r.name + "' is not a fresh identifier");
      }
      if (!findField(s, r.localField)) return bad("relation '" + r.name + "' has no local field");
    }
  }
  return {};
}

Status InventoryCatalog::addAll(const std::vector<InventorySchema>& schemas,
                                const std::string& owner) {
  std::unique_lock lock(mutex_);
  if (auto s = checkLocked(schemas, owner); !s) return s;
  for (const auto& s : schemas) schemas_.emplace(s.name, std::make_unique<InventorySchema>(s));
  return {};
}

Status InventoryCatalog::checkRelations() const {
  std::shared_lock lock(mutex_);
  for (const auto& [name, schema] : schemas_) {
    for (const auto& r : schema->relations) {
      auto target = schemas_.find(r.inventory);
      if (target == schemas_.end()) {
        return makeError(ErrorCode::kInvalidArgument, "inventory '" + name + "' relation '" +
                                                          r.name + "' names unknown inventory '" +
                                                          r.inventory + "'");
      }
      if (!findField(*target->second, r.remoteField)) {
        return makeError(ErrorCode::kInvalidArgument, "inventory '" + name + "' relation '" +
                                                          r.name + "': '" + r.inventory +
                                                          "' has no field '" + r.remoteField + "'");
      }
    }
    // A list whose inventory is not loaded is left out of the rows (see query_engine.cc).
    for (const auto& l : schema->lists) {
      auto target = schemas_.find(l.inventory);
      if (target == schemas_.end()) continue;
      if (!findField(*schema, l.localField) || !findField(*target->second, l.remoteField) ||
          (!l.orderField.empty() && !findField(*target->second, l.orderField))) {
        return makeError(ErrorCode::kInvalidArgument, "inventory '" + name + "' list '" + l.name +
                                                          "' names fields that do not exist");
      }
    }
  }
  return {};
}

const InventorySchema* InventoryCatalog::find(std::string_view name) const {
  std::shared_lock lock(mutex_);
  auto it = schemas_.find(name);
  return it == schemas_.end() ? nullptr : it->second.get();
}

const InventorySchema* InventoryCatalog::findByResourceType(std::string_view resourceType) const {
  if (resourceType.size() < 3 || resourceType.substr(resourceType.size() - 2) != "VO")
    return nullptr;
  return find(resourceType.substr(0, resourceType.size() - 2));
}

std::vector<std::string> InventoryCatalog::names() const {
  std::shared_lock lock(mutex_);
  std::vector<std::string> out;
  for (const auto& [name, schema] : schemas_) out.push_back(name);
  return out;
}

}  // namespace strato::kernel
