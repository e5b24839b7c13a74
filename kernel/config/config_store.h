// The node's configuration: defaults, then files in order, then STRATO_* environment variables,
// then --set overrides. Loading validates every value, so a corrupt config stops the node at
// start with a message naming the file and line, never later with a surprise.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "strato/config.h"
#include "strato/result.h"

namespace strato::kernel {

struct ConfigSources {
  std::vector<std::string> roleDefaults;  // "key=value" over the built-in defaults (agent ports)
  std::vector<std::filesystem::path> files;
  std::vector<std::string> overrides;  // "key=value", from --set
  bool readEnvironment = true;
  std::filesystem::path exeDir;        // substituted for ${exeDir}
};

class ConfigStore final : public Config {
 public:
  static Result<ConfigStore> load(const ConfigSources& sources);

  std::optional<std::string> get(std::string_view key) const override;
  // For the kernel's own keys, whose values were validated at load.
  std::string str(std::string_view key) const;
  std::int64_t integer(std::string_view key) const;

 private:
  Status set(const std::string& key, std::string value, const std::string& origin);

  std::map<std::string, std::string, std::less<>> values_;
  std::filesystem::path exeDir_;
};

}  // namespace strato::kernel
