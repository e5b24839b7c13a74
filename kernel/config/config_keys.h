// Every configuration key the kernel knows, with its default and the kind of value it takes.
// Keys outside this table are refused, except under `plugin.<name>.` (each plugin's own).
#pragma once

#include <span>
#include <string_view>

namespace strato::kernel {

enum class ValueKind { kString, kPort, kPositiveInt, kNonNegativeInt, kBool, kLogLevel, kList };

struct ConfigKey {
  std::string_view name;
  std::string_view defaultValue;
  ValueKind kind;
  std::string_view help;
};

std::span<const ConfigKey> knownConfigKeys();
const ConfigKey* findConfigKey(std::string_view name);

// STRATO_HTTP_PORT for http.port: upper case, dots to underscores.
std::string envNameFor(std::string_view key);

}  // namespace strato::kernel
