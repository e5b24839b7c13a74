// Read-only access to the node's configuration: files in config/, overridden by STRATO_*
// environment variables, overridden by --set on the command line. A plugin's own keys live
// under `plugin.<plugin name>.`. Thread-safe; the values do not change after start.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strato/result.h"

namespace strato {

class Config {
 public:
  virtual ~Config() = default;
  virtual std::optional<std::string> get(std::string_view key) const = 0;

  std::string getString(std::string_view key, std::string fallback = {}) const {
    auto v = get(key);
    return v ? *v : std::move(fallback);
  }

  Result<std::int64_t> getInt(std::string_view key, std::int64_t fallback) const {
    auto v = get(key);
    if (!v || v->empty()) return fallback;
    std::int64_t out = 0;
    auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
    if (ec != std::errc() || end != v->data() + v->size()) {
      return makeError(ErrorCode::kInvalidArgument,
                       "config key '" + std::string(key) + "' is not an integer", *v);
    }
    return out;
  }

  Result<bool> getBool(std::string_view key, bool fallback) const {
    auto v = get(key);
    if (!v || v->empty()) return fallback;
    if (*v == "true" || *v == "yes" || *v == "on" || *v == "1") return true;
    if (*v == "false" || *v == "no" || *v == "off" || *v == "0") return false;
    return makeError(ErrorCode::kInvalidArgument,
                     "config key '" + std::string(key) + "' is not a boolean", *v);
  }

  // Comma-separated list; blanks around items are dropped, empty items skipped.
  std::vector<std::string> getList(std::string_view key) const {
    std::vector<std::string> items;
    auto v = get(key);
    if (!v) return items;
    std::string_view rest = *v;
    while (!rest.empty()) {
      auto comma = rest.find(',');
      auto item = rest.substr(0, comma);
      while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
      while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
      if (!item.empty()) items.emplace_back(item);
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
    return items;
  }
};

}  // namespace strato
