// Extension points. An extension point is an abstract interface that declares its registry key:
//
//   class HypervisorFactory {
//    public:
//     static constexpr std::string_view kExtensionPoint = "strato.HypervisorFactory";
//     virtual ~HypervisorFactory() = default;
//     ...
//   };
//
// Implementations are registered under a name unique within their point ("KVM", "Simulator"),
// with an order (lower first) for points whose implementations form a chain (filters, hooks).
// The key is a string, not typeid, so lookups work across shared objects built with hidden
// visibility. Lookups are thread-safe; the registry is complete once all plugins are loaded.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace strato {

class ExtensionLookup {
 public:
  virtual ~ExtensionLookup() = default;

  virtual std::shared_ptr<void> findRaw(std::string_view point, std::string_view name) const = 0;
  // In registration order: by `order`, then by name.
  virtual std::vector<std::pair<std::string, std::shared_ptr<void>>> allRaw(
      std::string_view point) const = 0;

  template <class T>
  std::shared_ptr<T> find(std::string_view name) const {
    return std::static_pointer_cast<T>(findRaw(T::kExtensionPoint, name));
  }

  template <class T>
  std::vector<std::shared_ptr<T>> all() const {
    std::vector<std::shared_ptr<T>> out;
    for (auto& [name, impl] : allRaw(T::kExtensionPoint)) {
      out.push_back(std::static_pointer_cast<T>(impl));
    }
    return out;
  }
};

}  // namespace strato
