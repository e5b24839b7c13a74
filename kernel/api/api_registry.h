// Declared APIs, by name. The REST front end (next milestone) routes from this table; for now the
// kernel keeps it complete and free of duplicates so plugins can already declare their APIs.
#pragma once

#include <map>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "strato/api.h"
#include "strato/result.h"

namespace strato::kernel {

class ApiRegistry {
 public:
  // All or nothing: fails when a name is already declared or repeats within the batch.
  Status addAll(const std::vector<ApiDeclaration>& apis, const std::string& owner);
  Status checkAll(const std::vector<ApiDeclaration>& apis, const std::string& owner) const;
  std::optional<ApiDeclaration> find(const std::string& name) const;
  std::size_t size() const;
  std::vector<ApiDeclaration> all() const;

 private:
  Status checkLocked(const std::vector<ApiDeclaration>& apis, const std::string& owner) const;

  mutable std::shared_mutex mutex_;
  std::map<std::string, std::pair<ApiDeclaration, std::string>> apis_;  // name -> (api, owner)
};

}  // namespace strato::kernel
