// The parts of a running node, shared by node.cc and the HTTP handlers it installs.
#pragma once

#include <chrono>
#include <memory>

#include "api/api_registry.h"
#include "bus/asio_bus.h"
#include "extension/extension_registry.h"
#include "globalconfig/global_config_store.h"
#include "http/http_server.h"
#include "log/logging.h"
#include "node/node.h"
#include "query/inventory_catalog.h"
#include "rest/rest_front_end.h"
#include "system/management_node.h"
#include "system/system_apis.h"
#include "system/task_progress.h"

namespace strato::kernel {

// Members are destroyed bottom-up: HTTP first, so no request arrives at a half-torn-down node.
struct Node::State {
  NodeRole role;
  ConfigStore config;
  std::shared_ptr<Logger> log = componentLogger("kernel.node");
  std::chrono::steady_clock::time_point startedAt = std::chrono::steady_clock::now();
  std::unique_ptr<PluginLoader> loader;
  std::shared_ptr<Database> database;
  ExtensionRegistry extensions;
  ApiRegistry apis;
  InventoryCatalog inventories;
  GlobalConfigStore globalConfigs;
  std::unique_ptr<AsioBus> bus;
  PluginContributions contributions;
  // Management node only: the kernel's APIs, the REST front end, this node's registration.
  TaskProgressStore progress;
  std::unique_ptr<SystemApiServices> system;
  std::unique_ptr<RestFrontEnd> rest;
  std::unique_ptr<ManagementNodeRecord> record;
  std::string nodeUuid;
  bool startPhaseReached = false;
  std::size_t startedHooks = 0;  // prefix of contributions.startHooks that ran
  std::unique_ptr<HttpServer> http;
  bool stopped = false;
};

}  // namespace strato::kernel
