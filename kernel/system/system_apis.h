// The kernel's own APIs (chapters 10 and 11 of the ZStack manual): global configs, management
// nodes, version and time, tags, task progress, long jobs and GC jobs. Their handlers are bus
// handlers like any plugin's; their query APIs are inventories answered by the query engine.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "strato/api.h"
#include "strato/bus.h"
#include "strato/database.h"
#include "strato/extension.h"
#include "strato/result.h"

namespace strato::kernel {

class AsioBus;
class GlobalConfigStore;
class InventoryCatalog;
class RestFrontEnd;
class TaskProgressStore;

// Where this node listens, once it does (kNodeAddressMessage, strato/node.h). Kept in memory:
// plugins ask while every blocking thread may be waiting on agents, so the answer must not need
// one.
class ListeningAddress {
 public:
  void set(std::string host, int port) {
    std::lock_guard lock(mutex_);
    host_ = std::move(host);
    port_ = port;
  }
  // port 0 until the node listens
  std::pair<std::string, int> get() const {
    std::lock_guard lock(mutex_);
    return {host_, port_};
  }

 private:
  mutable std::mutex mutex_;
  std::string host_;
  int port_ = 0;
};

struct SystemApiServices {
  AsioBus& bus;
  Database& database;
  GlobalConfigStore& globalConfigs;
  InventoryCatalog& inventories;
  const ExtensionLookup& extensions;
  TaskProgressStore& progress;
  std::string nodeUuid;
  // Set once the front end exists (it is built from every API, these included).
  std::function<RestFrontEnd*()> frontEnd;
  std::vector<Subscription> subscriptions;  // kept for the life of the node
  ListeningAddress listening;
};

// A catalog API by name (the rest is filled from the catalog); with an inventory and no handler
// it is a query API.
inline ApiDeclaration catalogApi(std::string name, std::string inventory = {}) {
  ApiDeclaration api;
  api.name = std::move(name);
  api.inventory = std::move(inventory);
  return api;
}

// Declares the kernel's inventories and global configs.
Status declareKernelSchema(InventoryCatalog& inventories, GlobalConfigStore& globalConfigs);

// Registers the handlers on the bus and returns the API declarations to add to the registry.
// `services` must outlive the bus.
Result<std::vector<ApiDeclaration>> registerSystemApis(SystemApiServices& services);

// Pieces of registerSystemApis, one per area.
using HandlerAdder =
    std::function<Status(ApiDeclaration api, std::function<Reply(const Json& body)> run)>;
Status addConfigAndNodeApis(SystemApiServices& services, const HandlerAdder& add);
Status addTagApis(SystemApiServices& services, const HandlerAdder& add);
Status addJobApis(SystemApiServices& services, const HandlerAdder& add);
// kernel.CascadeDelete (see strato/cascade.h).
Status addCascade(SystemApiServices& services);

}  // namespace strato::kernel
