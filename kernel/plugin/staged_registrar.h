// A Registrar that only collects. The loader commits what it collected, all or nothing, once
// the plugin's init has succeeded; until then nothing a plugin registers is visible to anyone.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "extension/extension_registry.h"
#include "plugin/plugin_host.h"
#include "strato/registrar.h"

namespace strato::kernel {

class StagedRegistrar final : public Registrar {
 public:
  StagedRegistrar(std::string pluginName, KernelServices services);

  std::string_view pluginName() const override { return name_; }
  void addExtensionRaw(std::string_view point, std::string name, std::shared_ptr<void> impl,
                       int order) override;
  void handle(std::string messageType, RequestHandler handler) override;
  void subscribe(std::string eventType, EventHandler handler) override;
  void addApi(ApiDeclaration api) override;
  void addInventory(InventorySchema schema) override;
  void addGlobalConfig(GlobalConfigDeclaration declaration) override;
  void addMigrations(std::vector<Migration> migrations) override;
  void onStart(std::function<Status()> hook) override;
  void onStop(std::function<void()> hook) override;
  MessageBus& bus() override;
  const Config& config() const override;
  Logger& logger() override { return *logger_; }
  Database& database() override;
  const ExtensionLookup& extensions() const override;
  const GlobalConfigView& globalConfig() const override;

  bool empty() const;
  // Checks every staged item against what is registered, then registers all of them.
  Status commit(PluginContributions& into);

 private:
  std::string name_;
  KernelServices services_;
  std::shared_ptr<Logger> logger_;
  std::vector<std::pair<std::string, ExtensionRegistry::Entry>> extensions_;
  std::vector<std::pair<std::string, RequestHandler>> handlers_;
  std::vector<std::pair<std::string, EventHandler>> subscriptions_;
  std::vector<ApiDeclaration> apis_;
  std::vector<InventorySchema> inventories_;
  std::vector<GlobalConfigDeclaration> globalConfigs_;
  std::vector<Migration> migrations_;
  std::vector<std::function<Status()>> startHooks_;
  std::vector<std::function<void()>> stopHooks_;
};

}  // namespace strato::kernel
