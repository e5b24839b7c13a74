#include "plugin/staged_registrar.h"

#include <set>

#include "api/api_registry.h"
#include "bus/asio_bus.h"
#include "db/migrator.h"
#include "globalconfig/global_config_store.h"
#include "log/logging.h"
#include "query/inventory_catalog.h"
#include "rest/zstack_catalog.h"

namespace strato::kernel {

StagedRegistrar::StagedRegistrar(std::string pluginName, KernelServices services)
    : name_(std::move(pluginName)),
      services_(services),
      logger_(componentLogger("plugin." + name_)) {}

void StagedRegistrar::addExtensionRaw(std::string_view point, std::string name,
                                      std::shared_ptr<void> impl, int order) {
  extensions_.emplace_back(
      std::string(point), ExtensionRegistry::Entry{std::move(name), order, std::move(impl), name_});
}

void StagedRegistrar::handle(std::string messageType, RequestHandler handler) {
  handlers_.emplace_back(std::move(messageType), std::move(handler));
}

void StagedRegistrar::subscribe(std::string eventType, EventHandler handler) {
  subscriptions_.emplace_back(std::move(eventType), std::move(handler));
}

void StagedRegistrar::addApi(ApiDeclaration api) {
  // A ZStack API may be declared by name and message type alone; a name the catalog lacks keeps
  // its empty path and is refused at commit.
  (void)completeFromCatalog(api);
  apis_.push_back(std::move(api));
}

void StagedRegistrar::addInventory(InventorySchema schema) {
  inventories_.push_back(std::move(schema));
}

void StagedRegistrar::addGlobalConfig(GlobalConfigDeclaration declaration) {
  globalConfigs_.push_back(std::move(declaration));
}

void StagedRegistrar::addMigrations(std::vector<Migration> migrations) {
  for (auto& m : migrations) migrations_.push_back(std::move(m));
}

void StagedRegistrar::onStart(std::function<Status()> hook) {
  startHooks_.push_back(std::move(hook));
}

void StagedRegistrar::onStop(std::function<void()> hook) { stopHooks_.push_back(std::move(hook)); }

MessageBus& StagedRegistrar::bus() { return services_.bus; }
const Config& StagedRegistrar::config() const { return services_.config; }
Database& StagedRegistrar::database() { return services_.database; }
const ExtensionLookup& StagedRegistrar::extensions() const { return services_.extensions; }
const GlobalConfigView& StagedRegistrar::globalConfig() const { return services_.globalConfigs; }

bool StagedRegistrar::empty() const {
  return extensions_.empty() && handlers_.empty() && subscriptions_.empty() && apis_.empty() &&
         inventories_.empty() && globalConfigs_.empty() && migrations_.empty() &&
         startHooks_.empty() && stopHooks_.empty();
}

Status StagedRegistrar::commit(PluginContributions& into) {
  if (!migrations_.empty()) {
    if (auto s = validateMigrations(name_, migrations_); !s) return s;
  }
  std::set<std::string> types;
  for (const auto& [type, handler] : handlers_) {
    if (!handler) {
      return makeError(ErrorCode::kInvalidArgument, "empty bus handler for '" + type + "'");
    }
    if (services_.bus.hasHandler(type) || !types.insert(type).second) {
      return makeError(ErrorCode::kAlreadyExists,
                       "a bus handler for '" + type + "' is already registered");
    }
  }
  if (auto s = services_.apis.checkAll(apis_, name_); !s) return s;
  if (auto s = services_.extensions.checkAll(extensions_); !s) return s;
  if (auto s = services_.inventories.checkAll(inventories_, name_); !s) return s;
  if (auto s = services_.globalConfigs.checkAll(globalConfigs_, name_); !s) return s;

  // Loading is single-threaded, so nothing can take these names between check and add.
  for (auto& [type, handler] : handlers_) {
    if (auto s = services_.bus.registerHandler(type, std::move(handler)); !s) return s;
  }
  if (auto s = services_.apis.addAll(apis_, name_); !s) return s;
  if (auto s = services_.extensions.addAll(extensions_); !s) return s;
  if (auto s = services_.inventories.addAll(inventories_, name_); !s) return s;
  if (auto s = services_.globalConfigs.addAll(globalConfigs_, name_); !s) return s;
  for (auto& [type, handler] : subscriptions_) {
    into.subscriptions.push_back(services_.bus.subscribe(type, std::move(handler)));
  }
  if (!migrations_.empty()) into.schemas.push_back({name_, std::move(migrations_)});
  for (auto& hook : startHooks_) into.startHooks.push_back({name_, std::move(hook)});
  for (auto& hook : stopHooks_) into.stopHooks.push_back({name_, std::move(hook)});
  return {};
}

}  // namespace strato::kernel
