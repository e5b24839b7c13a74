// The kernel's registry of extension-point implementations (see sdk-headers/strato/extension.h).
// Names are unique within a point: a second registration is an error the loader turns into a
// refused plugin. Tests may inject implementations that shadow registered ones for a scope.
#pragma once

#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <vector>

#include "strato/extension.h"
#include "strato/result.h"

namespace strato::kernel {

class ExtensionRegistry final : public ExtensionLookup {
 public:
  struct Entry {
    std::string name;
    int order = 0;
    std::shared_ptr<void> impl;
    std::string owner;  // plugin name, for error messages
  };

  Status add(std::string_view point, Entry entry);
  // Fails if any entry clashes with a registered one or another in the batch; else adds all.
  Status addAll(const std::vector<std::pair<std::string, Entry>>& batch);
  // The check addAll makes, without adding.
  Status checkAll(const std::vector<std::pair<std::string, Entry>>& batch) const;

  std::shared_ptr<void> findRaw(std::string_view point, std::string_view name) const override;
  std::vector<std::pair<std::string, std::shared_ptr<void>>> allRaw(
      std::string_view point) const override;

  std::size_t size() const;
  // Drops every implementation; the node calls it before plugin libraries go away.
  void clear();

  // Test injection: while the guard lives, `impl` stands in for (or adds) `name` under `point`.
  class Injection {
   public:
    Injection(ExtensionRegistry* registry, std::string point, std::string name,
              std::shared_ptr<void> previous, bool existed);
    Injection(Injection&&) = delete;
    ~Injection();

   private:
    ExtensionRegistry* registry_;
    std::string point_;
    std::string name_;
    std::shared_ptr<void> previous_;
    bool existed_;
  };
  template <class T>
  [[nodiscard]] std::unique_ptr<Injection> inject(std::string name, std::shared_ptr<T> impl,
                                                  int order = 0) {
    return injectRaw(std::string(T::kExtensionPoint), std::move(name),
                     std::static_pointer_cast<void>(impl), order);
  }
  [[nodiscard]] std::unique_ptr<Injection> injectRaw(std::string point, std::string name,
                                                     std::shared_ptr<void> impl, int order);

 private:
  Status checkFree(std::string_view point, const Entry& entry) const;
  Status checkBatchLocked(const std::vector<std::pair<std::string, Entry>>& batch) const;
  void insertLocked(std::string_view point, Entry entry);

  mutable std::shared_mutex mutex_;
  // Kept sorted by (order, name), so lookups of a whole point are a plain copy.
  std::map<std::string, std::vector<Entry>, std::less<>> points_;
};

}  // namespace strato::kernel
