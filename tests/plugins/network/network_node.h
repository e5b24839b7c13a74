// An in-process management node with only the zone, L2 and L3 network plugins: their real .so
// files loaded by the kernel's PluginLoader, migrations applied, start hooks run, and the bus
// driven directly. For what HTTP does not reach: the IPAM bus messages (l3.AllocateIp,
// l3.ReleaseIp) of the IPAM tests and of strato-bench-ipam.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "api/api_registry.h"
#include "bus/asio_bus.h"
#include "config/config_store.h"
#include "db/database_url.h"
#include "db/migrator.h"
#include "db/poco_database.h"
#include "extension/extension_registry.h"
#include "globalconfig/global_config_store.h"
#include "plugin/plugin_loader.h"
#include "query/inventory_catalog.h"
#include "schema/kernel_schema.h"
#include "strato/uuid.h"

namespace strato::kernel {

class NetworkNode {
 public:
  // `databaseUrl` as in server.conf (sqlite:/path or mysql://...); `plugins` the .so files.
  static Result<std::unique_ptr<NetworkNode>> start(const std::string& databaseUrl,
                                                    const std::vector<std::string>& plugins,
                                                    unsigned blockingThreads = 16) {
    auto url = parseDatabaseUrl(databaseUrl);
    if (!url) return url.error();
    auto node = std::unique_ptr<NetworkNode>(new NetworkNode(blockingThreads));
    auto db = openDatabase({*url, static_cast<int>(blockingThreads), 5000});
    if (!db) return db.error();
    node->db_ = *db;
    node->loader_ = std::make_unique<PluginLoader>(
        KernelServices{node->bus_, node->config_, *node->db_, node->extensions_, node->apis_,
                       node->inventories_, node->globalConfigs_},
        node->contributions_);
    for (const auto& file : plugins) {
      auto loaded = node->loader_->load(file);
      if (auto* failed = std::get_if<PluginLoadError>(&loaded)) {
        return makeError(ErrorCode::kUnavailable, "plugin " + file + " not loaded", failed->reason);
      }
    }
    if (auto k = applyMigrations(*node->db_, "kernel", kernelMigrations()); !k) return k.error();
    for (const auto& schema : node->contributions_.schemas) {
      if (auto s = applyMigrations(*node->db_, schema.component, schema.migrations); !s)
        return s.error();
    }
    if (auto c = node->globalConfigs_.load(*node->db_); !c) return c.error();
    for (const auto& hook : node->contributions_.startHooks) {
      if (auto s = hook.run(); !s) return s.error();
    }
    return node;
  }

  ~NetworkNode() {
    for (auto it = contributions_.stopHooks.rbegin(); it != contributions_.stopHooks.rend(); ++it)
      it->run();
    bus_.shutdown();
  }

  // Runs an API's handler the way the REST front end does, as admin.
  Reply api(const std::string& messageType, Json params) {
    Json body{
        {"api", messageType},
        {"params", std::move(params)},
        {"session",
         {{"uuid", newUuid()}, {"accountUuid", kAdmin}, {"userUuid", kAdmin}, {"admin", true}}},
        {"jobUuid", newUuid()}};
    std::string uuid = body["params"].value("uuid", "");
    return call(bus_, Message{messageType, uuid, std::move(body)}, std::chrono::seconds(60));
  }
  Reply send(const std::string& type, Json body) {
    return call(bus_, Message{type, "", std::move(body)}, std::chrono::seconds(60));
  }

  MessageBus& bus() { return bus_; }
  Database& db() { return *db_; }

 private:
  static constexpr const char* kAdmin = "36c27e8ff05c4780bf6d2fa65700f22e";

  explicit NetworkNode(unsigned blockingThreads)
      : bus_({2, blockingThreads, std::chrono::seconds(60)}) {}

  ConfigStore config_ = ConfigStore::load({}).value();
  AsioBus bus_;
  std::shared_ptr<Database> db_;
  ExtensionRegistry extensions_;
  ApiRegistry apis_;
  InventoryCatalog inventories_;
  GlobalConfigStore globalConfigs_;
  PluginContributions contributions_;
  std::unique_ptr<PluginLoader> loader_;
};

}  // namespace strato::kernel
