#include "api/api_registry.h"

#include <mutex>
#include <set>

namespace strato::kernel {

Status ApiRegistry::addAll(const std::vector<ApiDeclaration>& apis, const std::string& owner) {
  std::unique_lock lock(mutex_);
  if (auto s = checkLocked(apis, owner); !s) return s;
  for (const auto& api : apis) apis_.emplace(api.name, std::make_pair(api, owner));
  return {};
}

Status ApiRegistry::checkAll(const std::vector<ApiDeclaration>& apis,
                             const std::string& owner) const {
  std::shared_lock lock(mutex_);
  return checkLocked(apis, owner);
}

Status ApiRegistry::checkLocked(const std::vector<ApiDeclaration>& apis,
                                const std::string& owner) const {
  std::set<std::string> batch;
  for (const auto& api : apis) {
    // A query API names its inventory instead of a handler.
    if (api.name.empty() || api.path.empty() ||
        (api.messageType.empty() && api.inventory.empty())) {
      return makeError(ErrorCode::kInvalidArgument,
                       "API declared by " + owner + " needs a name, a path and a message type",
                       api.name);
    }
    auto it = apis_.find(api.name);
    if (it != apis_.end() || !batch.insert(api.name).second) {
      return makeError(
          ErrorCode::kAlreadyExists, "duplicate API '" + api.name + "'",
          "declared by " + (it != apis_.end() ? it->second.second : owner) + ", again by " + owner);
    }
  }
  return {};
}

std::optional<ApiDeclaration> ApiRegistry::find(const std::string& name) const {
  std::shared_lock lock(mutex_);
  auto it = apis_.find(name);
  if (it == apis_.end()) return std::nullopt;
  return it->second.first;
}

std::vector<ApiDeclaration> ApiRegistry::all() const {
  std::shared_lock lock(mutex_);
  std::vector<ApiDeclaration> out;
  for (const auto& [name, entry] : apis_) out.push_back(entry.first);
  return out;
}

std::size_t ApiRegistry::size() const {
  std::shared_lock lock(mutex_);
  return apis_.size();
}

}  // namespace strato::kernel
