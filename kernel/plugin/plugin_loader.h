// Loads plugins with Boost.DLL. A plugin that cannot be used is refused with a distinct reason
// (see PluginFailure) and the node goes on without it. A library whose plugin init ran stays
// loaded for the life of the process.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "plugin/plugin_host.h"

namespace strato::kernel {

enum class PluginFailure {
  kNotFound,           // no such file
  kNotLoadable,        // the dynamic loader refused it (not ELF, missing symbols, ...)
  kNoEntryPoint,       // no strato_plugin_entry symbol
  kAbiMismatch,        // built for another SDK major, or a newer minor
  kInitFailed,         // init returned an error or threw
  kRegisteredNothing,  // init succeeded but contributed nothing
  kConflict,           // a name it registers is taken (extension, handler, API, plugin name)
};

std::string_view toString(PluginFailure failure);

struct PluginInfo {
  std::string name;
  std::string version;
  std::string buildId;
  std::uint32_t abiMajor = 0;
  std::uint32_t abiMinor = 0;
  std::filesystem::path path;
};

struct PluginLoadError {
  PluginFailure kind;
  std::filesystem::path path;
  std::string reason;
  std::string plugin;  // when known (the descriptor could be read)
};

using PluginLoadResult = std::variant<PluginInfo, PluginLoadError>;

struct PluginLoadReport {
  std::vector<PluginInfo> loaded;
  std::vector<PluginLoadError> failed;
};

class PluginLoader {
 public:
  PluginLoader(KernelServices services, PluginContributions& contributions);
  ~PluginLoader();
  PluginLoader(const PluginLoader&) = delete;
  PluginLoader& operator=(const PluginLoader&) = delete;

  PluginLoadResult load(const std::filesystem::path& file);

  // Every *.so in `dirs` (sorted by file name; a missing directory is a kNotFound failure), then
  // every file in `files`. Each failure is logged with the file and the reason.
  PluginLoadReport loadAll(const std::vector<std::string>& dirs,
                           const std::vector<std::string>& files);

  const std::vector<PluginInfo>& loaded() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace strato::kernel
