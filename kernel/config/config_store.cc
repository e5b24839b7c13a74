#include "config/config_store.h"

#include <charconv>
#include <cstdlib>
#include <fstream>

#include "config/config_keys.h"

namespace strato::kernel {
namespace {

std::string trim(std::string_view s) {
  const char* ws = " \t\r";
  auto b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  auto e = s.find_last_not_of(ws);
  return std::string(s.substr(b, e - b + 1));
}

std::optional<std::int64_t> parseInt(const std::string& v) {
  std::int64_t out = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || end != v.data() + v.size()) return std::nullopt;
  return out;
}

// Empty when the value fits the kind; else what is wrong with it.
std::string checkValue(ValueKind kind, const std::string& v) {
  switch (kind) {
    case ValueKind::kString:
    case ValueKind::kList:
      return {};
    case ValueKind::kPort: {
      auto n = parseInt(v);
      return n && *n >= 0 && *n <= 65535 ? "" : "expected a port number 0-65535";
    }
    case ValueKind::kPositiveInt: {
      auto n = parseInt(v);
      return n && *n > 0 ? "" : "expected a positive integer";
    }
    case ValueKind::kNonNegativeInt: {
      auto n = parseInt(v);
      return n && *n >= 0 ? "" : "expected a non-negative integer";
    }
    case ValueKind::kBool:
      return v == "true" || v == "false" ? "" : "expected true or false";
    case ValueKind::kLogLevel:
      return v == "trace" || v == "debug" || v == "info" || v == "warn" || v == "error"
                 ? ""
                 : "expected one of trace, debug, info, warn, error";
  }
  return {};
}

bool isPluginKey(std::string_view key) {
  // plugin.<name>.<rest>, both parts non-empty
  if (key.rfind("plugin.", 0) != 0) return false;
  auto rest = key.substr(7);
  auto dot = rest.find('.');
  return dot != std::string_view::npos && dot > 0 && dot + 1 < rest.size();
}

}  // namespace

Status ConfigStore::set(const std::string& key, std::string value, const std::string& origin) {
  if (key.empty()) {
    return makeError(ErrorCode::kInvalidArgument, origin + ": empty config key");
  }
  if (const ConfigKey* known = findConfigKey(key)) {
    if (auto problem = checkValue(known->kind, value); !problem.empty()) {
      return makeError(ErrorCode::kInvalidArgument,
                       origin + ": bad value '" + value + "' for " + key + ": " + problem);
    }
  } else if (!isPluginKey(key)) {
    return makeError(ErrorCode::kInvalidArgument,
                     origin + ": unknown config key '" + key +
                         "' (plugin settings go under plugin.<name>.<key>)");
  }
  values_[key] = std::move(value);
  return {};
}

Result<ConfigStore> ConfigStore::load(const ConfigSources& sources) {
  ConfigStore store;
  store.exeDir_ = sources.exeDir;
  for (const auto& key : knownConfigKeys()) {
    store.values_[std::string(key.name)] = std::string(key.defaultValue);
  }

  for (const auto& item : sources.roleDefaults) {
    auto eq = item.find('=');
    store.values_[item.substr(0, eq)] = item.substr(eq + 1);
  }

  for (const auto& file : sources.files) {
    std::ifstream in(file);
    if (!in) {
      return makeError(ErrorCode::kInvalidArgument,
                       "cannot read config file " + file.string());
    }
    std::string line;
    int lineNo = 0;
    while (std::getline(in, line)) {
      ++lineNo;
      std::string text = trim(line);
      if (text.empty() || text[0] == '#') continue;
      std::string origin = file.string() + ":" + std::to_string(lineNo);
      auto eq = text.find('=');
      if (eq == std::string::npos) {
        return makeError(ErrorCode::kInvalidArgument,
                         origin + ": expected 'key = value', got '" + text + "'");
      }
      if (auto s = store.set(trim(text.substr(0, eq)), trim(text.substr(eq + 1)), origin); !s) {
        return s.error();
      }
    }
  }

  if (sources.readEnvironment) {
    // Only keys we know (or that a file named) can be overridden: env names lose case and dots.
    std::vector<std::string> keys;
    for (const auto& [key, value] : store.values_) keys.push_back(key);
    for (const auto& key : keys) {
      auto env = envNameFor(key);
      if (const char* v = std::getenv(env.c_str())) {
        if (auto s = store.set(key, v, "environment " + env); !s) return s.error();
      }
    }
  }

  for (const auto& item : sources.overrides) {
    auto eq = item.find('=');
    if (eq == std::string::npos) {
      return makeError(ErrorCode::kInvalidArgument,
                       "--set " + item + ": expected key=value");
    }
    if (auto s = store.set(trim(item.substr(0, eq)), trim(item.substr(eq + 1)), "--set " + item);
        !s) {
      return s.error();
    }
  }
  return store;
}

std::optional<std::string> ConfigStore::get(std::string_view key) const {
  auto it = values_.find(key);
  if (it == values_.end()) return std::nullopt;
  std::string value = it->second;
  static constexpr std::string_view kExeDir = "${exeDir}";
  const std::string dir = exeDir_.string();
  for (auto pos = value.find(kExeDir); pos != std::string::npos;
       pos = value.find(kExeDir, pos + dir.size())) {
    value.replace(pos, kExeDir.size(), dir);
  }
  return value;
}

std::string ConfigStore::str(std::string_view key) const { return get(key).value_or(""); }

std::int64_t ConfigStore::integer(std::string_view key) const {
  return parseInt(str(key)).value_or(0);
}

}  // namespace strato::kernel
