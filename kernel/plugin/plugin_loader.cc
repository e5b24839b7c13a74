#include "plugin/plugin_loader.h"

#define BOOST_DLL_USE_STD_FS
#include <boost/dll/shared_library.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <mutex>
#include <optional>

#include "log/logging.h"
#include "plugin/staged_registrar.h"
#include "strato/plugin.h"

namespace strato::kernel {

std::string_view toString(PluginFailure failure) {
  switch (failure) {
    case PluginFailure::kNotFound: return "not found";
    case PluginFailure::kNotLoadable: return "not loadable";
    case PluginFailure::kNoEntryPoint: return "no entry point";
    case PluginFailure::kAbiMismatch: return "ABI mismatch";
    case PluginFailure::kInitFailed: return "init failed";
    case PluginFailure::kRegisteredNothing: return "registered nothing";
    case PluginFailure::kConflict: return "conflict";
  }
  return "unknown";
}

namespace {
// Plugin libraries are never unloaded: plugin code may be referenced from anywhere (a function
// registered on the bus, an object held by another plugin, a thread the plugin started), and
// nothing can prove all of it is gone before exit.
void keepLoaded(boost::dll::shared_library library) {
  static auto* libraries = new std::vector<boost::dll::shared_library>();
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  libraries->push_back(std::move(library));
}
}  // namespace

struct PluginLoader::Impl {
  KernelServices services;
  PluginContributions& contributions;
  std::shared_ptr<Logger> log = componentLogger("kernel.plugins");
  std::vector<PluginInfo> loaded;

  PluginLoadError fail(PluginFailure kind, const std::filesystem::path& path, std::string reason,
                       std::string plugin = {}) {
    log->error(fmt::format("plugin refused file={} cause=\"{}\" reason=\"{}\"", path.string(),
                           toString(kind), reason));
    return PluginLoadError{kind, path, std::move(reason), std::move(plugin)};
  }
};

PluginLoader::PluginLoader(KernelServices services, PluginContributions& contributions)
    : impl_(new Impl{services, contributions}) {}

PluginLoader::~PluginLoader() = default;

const std::vector<PluginInfo>& PluginLoader::loaded() const { return impl_->loaded; }

PluginLoadResult PluginLoader::load(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    return impl_->fail(PluginFailure::kNotFound, file, "no such plugin file");
  }
  boost::dll::shared_library library;
  try {
    library.load(file, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  } catch (const std::exception& e) {
    return impl_->fail(PluginFailure::kNotLoadable, file, e.what());
  }
  if (!library.has(kPluginEntrySymbol)) {
    return impl_->fail(PluginFailure::kNoEntryPoint, file,
                       std::string("no exported symbol ") + kPluginEntrySymbol +
                           " (declare the plugin with STRATO_PLUGIN)");
  }
  const PluginDescriptor* d = library.get<const PluginDescriptor*() noexcept>(kPluginEntrySymbol)();
  if (d == nullptr) {
    return impl_->fail(PluginFailure::kNoEntryPoint, file, "the entry point returned no descriptor");
  }
  // Only the two leading fields are trusted until the ABI is known to match.
  if (d->abiMajor != kSdkAbiMajor || d->abiMinor > kSdkAbiMinor) {
    return impl_->fail(PluginFailure::kAbiMismatch, file,
                       fmt::format("built for SDK ABI {}.{}, this kernel has {}.{}", d->abiMajor,
                                   d->abiMinor, kSdkAbiMajor, kSdkAbiMinor));
  }
  PluginInfo info{d->name ? d->name : "", d->version ? d->version : "",
                  d->buildId ? d->buildId : "", d->abiMajor, d->abiMinor, file};
  if (info.name.empty() || d->init == nullptr) {
    return impl_->fail(PluginFailure::kNoEntryPoint, file, "descriptor without a name or init");
  }
  auto sameName = [&](const PluginInfo& p) { return p.name == info.name; };
  if (auto it = std::find_if(impl_->loaded.begin(), impl_->loaded.end(), sameName);
      it != impl_->loaded.end()) {
    return impl_->fail(PluginFailure::kConflict, file,
                       "a plugin named '" + info.name + "' is already loaded from " +
                           it->path.string(),
                       info.name);
  }

  // Once init has run, the plugin's code may be referenced from anywhere (a thread it started,
  // work it posted), so its library stays loaded even when the plugin is refused.
  std::optional<PluginLoadError> refused;
  {
    StagedRegistrar registrar(info.name, impl_->services);
    if (Status s = d->init(registrar); !s) {
      refused = impl_->fail(PluginFailure::kInitFailed, file, s.error().describe(), info.name);
    } else if (registrar.empty()) {
      refused = impl_->fail(
          PluginFailure::kRegisteredNothing, file,
          "init succeeded but registered no extension, handler, API, migration or hook", info.name);
    } else if (Status c = registrar.commit(impl_->contributions); !c) {
      refused = impl_->fail(PluginFailure::kConflict, file, c.error().describe(), info.name);
    }
  }
  keepLoaded(std::move(library));
  if (refused) return *refused;
  impl_->loaded.push_back(info);
  impl_->log->info(fmt::format("plugin loaded name={} version={} build={} abi={}.{} file={}",
                               info.name, info.version, info.buildId, info.abiMajor,
                               info.abiMinor, file.string()));
  return info;
}

PluginLoadReport PluginLoader::loadAll(const std::vector<std::string>& dirs,
                                       const std::vector<std::string>& files) {
  std::vector<std::filesystem::path> candidates;
  PluginLoadReport report;
  for (const auto& dir : dirs) {
    std::error_code ec;
    std::vector<std::filesystem::path> found;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
      if (entry.path().extension() == ".so") found.push_back(entry.path());
    }
    if (ec) {
      report.failed.push_back(impl_->fail(PluginFailure::kNotFound, dir,
                                          "cannot read plugin directory: " + ec.message()));
      continue;
    }
    std::sort(found.begin(), found.end());
    candidates.insert(candidates.end(), found.begin(), found.end());
  }
  for (const auto& file : files) candidates.emplace_back(file);
  for (const auto& file : candidates) {
    auto result = load(file);
    if (auto* info = std::get_if<PluginInfo>(&result)) {
      report.loaded.push_back(*info);
    } else {
      report.failed.push_back(std::get<PluginLoadError>(result));
    }
  }
  return report;
}

}  // namespace strato::kernel
