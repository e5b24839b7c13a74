// What the kernel hands to plugins (services) and what committed plugins give back
// (contributions the node runs later: migrations, start and stop hooks, subscriptions).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "strato/bus.h"
#include "strato/config.h"
#include "strato/database.h"

namespace strato::kernel {

class AsioBus;
class ApiRegistry;
class ExtensionRegistry;
class GlobalConfigStore;
class InventoryCatalog;

struct KernelServices {
  AsioBus& bus;
  const Config& config;
  Database& database;
  ExtensionRegistry& extensions;
  ApiRegistry& apis;
  InventoryCatalog& inventories;
  GlobalConfigStore& globalConfigs;
};

struct PluginContributions {
  struct Schema {
    std::string component;
    std::vector<Migration> migrations;
  };
  struct StartHook {
    std::string plugin;
    std::function<Status()> run;
  };
  struct StopHook {
    std::string plugin;
    std::function<void()> run;
  };
  std::vector<Schema> schemas;
  std::vector<StartHook> startHooks;  // load order
  std::vector<StopHook> stopHooks;    // load order; run in reverse
  std::vector<Subscription> subscriptions;
};

}  // namespace strato::kernel
