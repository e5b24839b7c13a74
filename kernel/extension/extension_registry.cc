#include "extension/extension_registry.h"

#include <algorithm>
#include <mutex>

namespace strato::kernel {

Status ExtensionRegistry::checkFree(std::string_view point, const Entry& entry) const {
  if (entry.name.empty() || !entry.impl) {
    return makeError(ErrorCode::kInvalidArgument,
                     "extension for point '" + std::string(point) + "' needs a name and an object");
  }
  auto it = points_.find(point);
  if (it == points_.end()) return {};
  for (const auto& existing : it->second) {
    if (existing.name == entry.name) {
      return makeError(ErrorCode::kAlreadyExists,
                       "duplicate extension '" + entry.name + "' for point '" +
                           std::string(point) + "'",
                       "registered by " + existing.owner + ", again by " + entry.owner);
    }
  }
  return {};
}

void ExtensionRegistry::insertLocked(std::string_view point, Entry entry) {
  auto& list = points_[std::string(point)];
  auto pos = std::upper_bound(list.begin(), list.end(), entry, [](const Entry& a, const Entry& b) {
    return std::tie(a.order, a.name) < std::tie(b.order, b.name);
  });
  list.insert(pos, std::move(entry));
}

Status ExtensionRegistry::add(std::string_view point, Entry entry) {
  std::unique_lock lock(mutex_);
  if (auto s = checkFree(point, entry); !s) return s;
  insertLocked(point, std::move(entry));
  return {};
}

Status ExtensionRegistry::checkAll(
    const std::vector<std::pair<std::string, Entry>>& batch) const {
  std::shared_lock lock(mutex_);
  return checkBatchLocked(batch);
}

Status ExtensionRegistry::addAll(const std::vector<std::pair<std::string, Entry>>& batch) {
  std::unique_lock lock(mutex_);
  if (auto s = checkBatchLocked(batch); !s) return s;
  for (const auto& [point, entry] : batch) insertLocked(point, entry);
  return {};
}

Status ExtensionRegistry::checkBatchLocked(
    const std::vector<std::pair<std::string, Entry>>& batch) const {
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const auto& [point, entry] = batch[i];
    if (auto s = checkFree(point, entry); !s) return s;
    for (std::size_t j = 0; j < i; ++j) {
      if (batch[j].first == point && batch[j].second.name == entry.name) {
        return makeError(ErrorCode::kAlreadyExists,
                         "duplicate extension '" + entry.name + "' for point '" + point + "'",
                         "registered twice by " + entry.owner);
      }
    }
  }
  return {};
}

std::shared_ptr<void> ExtensionRegistry::findRaw(std::string_view point,
                                                 std::string_view name) const {
  std::shared_lock lock(mutex_);
  auto it = points_.find(point);
  if (it == points_.end()) return nullptr;
  for (const auto& entry : it->second) {
    if (entry.name == name) return entry.impl;
  }
  return nullptr;
}

std::vector<std::pair<std::string, std::shared_ptr<void>>> ExtensionRegistry::allRaw(
    std::string_view point) const {
  std::vector<std::pair<std::string, std::shared_ptr<void>>> out;
  std::shared_lock lock(mutex_);
  auto it = points_.find(point);
  if (it == points_.end()) return out;
  for (const auto& entry : it->second) out.emplace_back(entry.name, entry.impl);
  return out;
}

std::size_t ExtensionRegistry::size() const {
  std::shared_lock lock(mutex_);
  std::size_t n = 0;
  for (const auto& [point, list] : points_) n += list.size();
  return n;
}

void ExtensionRegistry::clear() {
  std::unique_lock lock(mutex_);
  points_.clear();
}

std::unique_ptr<ExtensionRegistry::Injection> ExtensionRegistry::injectRaw(
    std::string point, std::string name, std::shared_ptr<void> impl, int order) {
  std::unique_lock lock(mutex_);
  auto& list = points_[point];
  auto it = std::find_if(list.begin(), list.end(), [&](const Entry& e) { return e.name == name; });
  if (it != list.end()) {
    auto previous = std::exchange(it->impl, std::move(impl));
    return std::make_unique<Injection>(this, point, name, std::move(previous), true);
  }
  insertLocked(point, Entry{name, order, std::move(impl), "test injection"});
  return std::make_unique<Injection>(this, point, name, nullptr, false);
}

ExtensionRegistry::Injection::Injection(ExtensionRegistry* registry, std::string point,
                                        std::string name, std::shared_ptr<void> previous,
                                        bool existed)
    : registry_(registry),
      point_(std::move(point)),
      name_(std::move(name)),
      previous_(std::move(previous)),
      existed_(existed) {}

ExtensionRegistry::Injection::~Injection() {
  std::unique_lock lock(registry_->mutex_);
  auto& list = registry_->points_[point_];
  auto it = std::find_if(list.begin(), list.end(), [&](const Entry& e) { return e.name == name_; });
  if (it == list.end()) return;
  if (existed_) {
    it->impl = std::move(previous_);
  } else {
    list.erase(it);
  }
}

}  // namespace strato::kernel
