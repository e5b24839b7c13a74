// Global configs: declared by plugins (and the kernel) at load, stored in the global_config
// table, served from memory. Updates are validated against the declaration, written to the
// database, then made visible.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <utility>
#include <vector>

#include "strato/database.h"
#include "strato/global_config.h"
#include "strato/json.h"

namespace strato::kernel {

class GlobalConfigStore final : public GlobalConfigView {
 public:
  Status checkAll(const std::vector<GlobalConfigDeclaration>& declarations,
                  const std::string& owner) const;
  Status addAll(const std::vector<GlobalConfigDeclaration>& declarations, const std::string& owner);

  // After migrations: adds rows for new settings, refreshes declarations, reads every value.
  Status load(Database& db);

  std::optional<std::string> get(std::string_view category, std::string_view name) const override;

  // Validates and stores a new value; returns the inventory of the setting after the change
  // and its previous value.
  Result<std::pair<Json, std::string>> update(Database& db, const std::string& category,
                                              const std::string& name, const std::string& value);

  // Checks a value against a declaration; the error names the setting and the rule broken.
  static Status validate(const GlobalConfigDeclaration& d, const std::string& value);

 private:
  using Key = std::pair<std::string, std::string>;
  Status checkLocked(const std::vector<GlobalConfigDeclaration>& declarations,
                     const std::string& owner) const;
  Json inventoryLocked(const Key& key) const;

  mutable std::shared_mutex mutex_;
  std::map<Key, GlobalConfigDeclaration> declarations_;
  std::map<Key, std::string> values_;
};

}  // namespace strato::kernel
