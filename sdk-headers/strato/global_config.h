// Global configuration: settings an administrator changes at run time through the API
// (QueryGlobalConfig / UpdateGlobalConfig), stored in the database and shared by every
// management node. A plugin declares its settings at init; the kernel validates every update
// against the declaration and publishes kGlobalConfigUpdatedEvent afterwards.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strato/result.h"

namespace strato {

enum class GlobalConfigType { kString, kInteger, kFloat, kBoolean };

struct GlobalConfigDeclaration {
  std::string category;  // e.g. "identity"
  std::string name;      // e.g. "session.timeout"
  std::string defaultValue;
  std::string description;
  GlobalConfigType type = GlobalConfigType::kString;
  std::optional<double> min;  // numeric types: inclusive bounds
  std::optional<double> max;
  std::vector<std::string> allowedValues;  // empty = any value of the type
};

// Body: {"category", "name", "oldValue", "newValue"}.
inline constexpr std::string_view kGlobalConfigUpdatedEvent = "kernel.GlobalConfigUpdated";

// Current values. Thread-safe and cheap (served from memory); never blocks.
class GlobalConfigView {
 public:
  virtual ~GlobalConfigView() = default;
  // nullopt when no plugin declared that setting.
  virtual std::optional<std::string> get(std::string_view category,
                                         std::string_view name) const = 0;

  std::int64_t getInt(std::string_view category, std::string_view name,
                      std::int64_t fallback) const {
    auto v = get(category, name);
    if (!v) return fallback;
    try {
      return std::stoll(*v);
    } catch (...) {
      return fallback;
    }
  }
  bool getBool(std::string_view category, std::string_view name, bool fallback) const {
    auto v = get(category, name);
    return v ? *v == "true" : fallback;
  }
};

}  // namespace strato
