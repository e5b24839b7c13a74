// The Registrar: what a plugin's init function receives. Everything a plugin contributes goes
// through it. Registrations are staged: the kernel commits them all at once when init returns
// success and none of them clashes with what is already registered; otherwise none is kept and
// the plugin is refused.
//
// Lifetime: the Registrar itself is valid only during init; do not keep it or capture it. The
// services it returns (bus(), config(), logger(), database(), extensions(), globalConfig()) live as
// long as the node: capture those. Plugin libraries are never unloaded. Init runs on the main
// thread, one plugin at a time.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "strato/api.h"
#include "strato/bus.h"
#include "strato/config.h"
#include "strato/database.h"
#include "strato/extension.h"
#include "strato/global_config.h"
#include "strato/inventory.h"
#include "strato/logger.h"
#include "strato/result.h"

namespace strato {

class Registrar {
 public:
  virtual ~Registrar() = default;

  virtual std::string_view pluginName() const = 0;

  // Implementation `impl` of extension point T under `name`; see extension.h.
  template <class T>
  void addExtension(std::string name, std::shared_ptr<T> impl, int order = 0) {
    addExtensionRaw(T::kExtensionPoint, std::move(name), std::static_pointer_cast<void>(impl),
                    order);
  }
  virtual void addExtensionRaw(std::string_view point, std::string name, std::shared_ptr<void> impl,
                               int order) = 0;

  // Bus request handler for a message type (one handler per type across all plugins).
  virtual void handle(std::string messageType, RequestHandler handler) = 0;
  // Bus event subscription, kept for the life of the process.
  virtual void subscribe(std::string eventType, EventHandler handler) = 0;

  virtual void addApi(ApiDeclaration api) = 0;
  // Query schema of a resource the plugin stores (see inventory.h); names are unique.
  virtual void addInventory(InventorySchema schema) = 0;
  // A run-time setting (see global_config.h); category + name are unique.
  virtual void addGlobalConfig(GlobalConfigDeclaration declaration) = 0;

  // The plugin's schema, applied in version order at start (after every plugin is loaded,
  // before any start hook). Recorded under the plugin's name.
  virtual void addMigrations(std::vector<Migration> migrations) = 0;

  // Called in load order once the node is up (migrations applied); an error stops the node.
  virtual void onStart(std::function<Status()> hook) = 0;
  // Called in reverse load order when the node stops, before the bus shuts down.
  virtual void onStop(std::function<void()> hook) = 0;

  virtual MessageBus& bus() = 0;
  virtual const Config& config() const = 0;
  virtual Logger& logger() = 0;
  virtual Database& database() = 0;
  virtual const ExtensionLookup& extensions() const = 0;
  // Values of every plugin's global configs; complete once the node has started.
  virtual const GlobalConfigView& globalConfig() const = 0;
};

}  // namespace strato
