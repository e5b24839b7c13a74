#include "globalconfig/global_config_store.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

namespace strato::kernel {
namespace {

std::optional<double> parseNumber(const std::string& value, bool integer) {
  if (value.empty()) return std::nullopt;
  if (integer) {
    long long out = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
    if (ec != std::errc() || end != value.data() + value.size()) return std::nullopt;
    return static_cast<double>(out);
  }
  double out = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
  if (ec != std::errc() || end != value.data() + value.size() || !std::isfinite(out))
    return std::nullopt;
  return out;
}

}  // namespace

Status GlobalConfigStore::validate(const GlobalConfigDeclaration& d, const std::string& value) {
  std::string what = "global config " + d.category + "." + d.name;
  auto bad = [&](const std::string& why) {
    return makeError(ErrorCode::kInvalidArgument, what + ": " + why, "value '" + value + "'");
  };
  switch (d.type) {
    case GlobalConfigType::kBoolean:
      if (value != "true" && value != "false") return bad("must be true or false");
      break;
    case GlobalConfigType::kInteger:
    case GlobalConfigType::kFloat: {
      auto n = parseNumber(value, d.type == GlobalConfigType::kInteger);
      if (!n) return bad(d.type == GlobalConfigType::kInteger ? "must be a whole number" : "must be a number");
      if (d.min && *n < *d.min) return bad("must be at least " + Json(*d.min).dump());
      if (d.max && *n > *d.max) return bad("must be at most " + Json(*d.max).dump());
      break;
    }
    case GlobalConfigType::kString:
      break;
  }
  if (!d.allowedValues.empty() &&
      std::find(d.allowedValues.begin(), d.allowedValues.end(), value) == d.allowedValues.end()) {
    std::string allowed;
    for (const auto& v : d.allowedValues) allowed += (allowed.empty() ? "" : ", ") + v;
    return bad("must be one of " + allowed);
  }
  return {};
}

Status GlobalConfigStore::checkAll(const std::vector<GlobalConfigDeclaration>& declarations,
                                   const std::string& owner) const {
  std::shared_lock lock(mutex_);
  return checkLocked(declarations, owner);
}

Status GlobalConfigStore::checkLocked(const std::vector<GlobalConfigDeclaration>& declarations,
                                      const std::string& owner) const {
  std::vector<Key> batch;
  for (const auto& d : declarations) {
    Key key{d.category, d.name};
    if (d.category.empty() || d.name.empty()) {
      return makeError(ErrorCode::kInvalidArgument,
                       "global config declared by " + owner + " needs a category and a name");
    }
    if (declarations_.count(key) || std::find(batch.begin(), batch.end(), key) != batch.end()) {
      return makeError(ErrorCode::kAlreadyExists,
                       "duplicate global config " + d.category + "." + d.name, owner);
    }
    if (auto s = validate(d, d.defaultValue); !s) {
      return makeError(ErrorCode::kInvalidArgument, "default value breaks its own rule",
                       s.error().message);
    }
    batch.push_back(std::move(key));
  }
  return {};
}

Status GlobalConfigStore::addAll(const std::vector<GlobalConfigDeclaration>& declarations,
                                 const std::string& owner) {
  std::unique_lock lock(mutex_);
  if (auto s = checkLocked(declarations, owner); !s) return s;
  for (const auto& d : declarations) {
    declarations_.emplace(Key{d.category, d.name}, d);
    values_[Key{d.category, d.name}] = d.defaultValue;
  }
  return {};
}

Status GlobalConfigStore::load(Database& db) {
  std::unique_lock lock(mutex_);
  auto existing = db.query("SELECT category, name FROM global_config");
  if (!existing) return existing.error();
  std::set<Key> stored;
  for (const auto& row : existing->rows) {
    stored.emplace(std::get<std::string>(row[0]), std::get<std::string>(row[1]));
  }
  for (const auto& [key, d] : declarations_) {
    // The row keeps an administrator's value across restarts; its declaration may change.
    if (stored.count(key)) {
      auto changed = db.execute(
          "UPDATE global_config SET defaultValue = ?, description = ? WHERE category = ? AND name "
          "= ?",
          {d.defaultValue, d.description, d.category, d.name});
      if (!changed) return changed.error();
    } else {
      auto inserted = db.execute(
          "INSERT INTO global_config (category, name, value, defaultValue, description) "
          "VALUES (?, ?, ?, ?, ?)",
          {d.category, d.name, d.defaultValue, d.defaultValue, d.description});
      if (!inserted) return inserted.error();
    }
  }
  auto rows = db.query("SELECT category, name, value FROM global_config");
  if (!rows) return rows.error();
  for (const auto& row : rows->rows) {
    Key key{std::get<std::string>(row[0]), std::get<std::string>(row[1])};
    auto d = declarations_.find(key);
    if (d == declarations_.end()) continue;  // a setting no loaded plugin declares any more
    const auto* value = std::get_if<std::string>(&row[2]);
    // A stored value the current declaration rejects (the rule got stricter) falls back.
    values_[key] = value && validate(d->second, *value) ? *value : d->second.defaultValue;
  }
  return {};
}

std::optional<std::string> GlobalConfigStore::get(std::string_view category,
                                                  std::string_view name) const {
  std::shared_lock lock(mutex_);
  auto it = values_.find(Key{std::string(category), std::string(name)});
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

Result<std::pair<Json, std::string>> GlobalConfigStore::update(Database& db,
                                                               const std::string& category,
                                                               const std::string& name,
                                                               const std::string& value) {
  std::unique_lock lock(mutex_);
  Key key{category, name};
  auto d = declarations_.find(key);
  if (d == declarations_.end()) {
    return makeError(ErrorCode::kNotFound, "no global config " + category + "." + name);
  }
  if (auto s = validate(d->second, value); !s) return s.error();
  auto changed = db.execute("UPDATE global_config SET value = ? WHERE category = ? AND name = ?",
                            {value, category, name});
  if (!changed) return changed.error();
  std::string old = std::exchange(values_[key], value);
  return std::make_pair(inventoryLocked(key), std::move(old));
}

Json GlobalConfigStore::inventoryLocked(const Key& key) const {
  const auto& d = declarations_.at(key);
  return Json{{"category", d.category},
              {"name", d.name},
              {"value", values_.at(key)},
              {"defaultValue", d.defaultValue},
              {"description", d.description}};
}

}  // namespace strato::kernel
