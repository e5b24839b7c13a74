// Hosts (section 4.3 of the ZStack manual, without the KVM, PCI and USB parts): the rows, states,
// statuses and capacities of hosts of every hypervisor type, and their ping tracking. Talking to
// a host is its HypervisorDriver's job; the Add<Type>Host API of a hypervisor plugin sends
// kAddHostMessage here (the simulator plugin's AddSimulatorHost, later AddKVMHost).
#include <strato/sdk.h>

#include "host_apis.h"
#include "host_capacity.h"
#include "host_connections.h"
#include "host_maintenance.h"
#include "host_store.h"
#include "ping_tracker.h"

namespace {

using strato::Json;
using strato::Message;
using strato::Reply;

strato::ApiDeclaration hostApi(const char* name) {
  strato::ApiDeclaration decl;
  decl.name = name;
  decl.messageType = std::string("host.") + name;
  decl.inventory = "Host";
  decl.adminOnly = true;  // hardware belongs to the cloud's operator
  return decl;
}

void addSchema(strato::Registrar& r) {
  r.addMigrations(
      {{1,
        "hosts",
        {"CREATE TABLE host (uuid VARCHAR(32) PRIMARY KEY, name VARCHAR(255) NOT NULL, "
         "description TEXT, zoneUuid VARCHAR(32) NOT NULL, clusterUuid VARCHAR(32) NOT NULL, "
         "managementIp VARCHAR(255) NOT NULL UNIQUE, hypervisorType VARCHAR(64) NOT NULL, "
         "state VARCHAR(32) NOT NULL, status VARCHAR(32) NOT NULL, "
         "totalCpu BIGINT NOT NULL DEFAULT 0, availableCpu BIGINT NOT NULL DEFAULT 0, "
         "cpuNum BIGINT NOT NULL DEFAULT 0, cpuSockets BIGINT NOT NULL DEFAULT 0, "
         "totalMemory BIGINT NOT NULL DEFAULT 0, availableMemory BIGINT NOT NULL DEFAULT 0, "
         "totalPhysicalMemory BIGINT NOT NULL DEFAULT 0, "
         "availablePhysicalMemory BIGINT NOT NULL DEFAULT 0, architecture VARCHAR(32), "
         "extra TEXT, createDate BIGINT NOT NULL, lastOpDate BIGINT NOT NULL)",
         "CREATE INDEX host_cluster ON host (clusterUuid)",
         "CREATE INDEX host_zone ON host (zoneUuid)",
         "CREATE INDEX host_status ON host (status)"}}});
  using strato::FieldType;
  r.addInventory(
      {"Host",
       "host",
       "org.zstack.header.host.HostInventory",
       {{"uuid"},
        {"name"},
        {"description"},
        {"zoneUuid"},
        {"clusterUuid"},
        {"managementIp"},
        {"hypervisorType"},
        {"state"},
        {"status"},
        {"totalCpuCapacity", FieldType::kInteger, "totalCpu"},
        {"availableCpuCapacity", FieldType::kInteger, "availableCpu"},
        {"cpuSockets", FieldType::kInteger},
        {"totalMemoryCapacity", FieldType::kInteger, "totalMemory"},
        {"availableMemoryCapacity", FieldType::kInteger, "availableMemory"},
        {"cpuNum", FieldType::kInteger},
        {"createDate", FieldType::kDate},
        {"lastOpDate", FieldType::kDate}},
       {{"cluster", "Cluster", "clusterUuid", "uuid"}, {"zone", "Zone", "zoneUuid", "uuid"}}});
  using strato::GlobalConfigType;
  r.addGlobalConfig({"host",
                     "ping.interval",
                     "60",
                     "Seconds between two pings of every connected host",
                     GlobalConfigType::kInteger,
                     1,
                     86400,
                     {}});
  // ZStack's name and values. JustMigrate refuses maintenance while a VM cannot migrate.
  r.addGlobalConfig({"host",
                     "host.maintenance.policy",
                     "JustMigrate",
                     "What maintenance does with a VM that cannot migrate off the host: "
                     "JustMigrate fails the maintenance, StopVmOnMigrationFailure stops the VM",
                     GlobalConfigType::kString,
                     std::nullopt,
                     std::nullopt,
                     {"JustMigrate", "StopVmOnMigrationFailure"}});
  strato::host::declareOverProvisioning(r);
  r.addGlobalConfig({"host",
                     "connection.autoReconnectOnError",
                     "true",
                     "Reconnect a Disconnected host as soon as it answers a ping again",
                     GlobalConfigType::kBoolean,
                     std::nullopt,
                     std::nullopt,
                     {}});
}

strato::Status init(strato::Registrar& r) {
  addSchema(r);
  strato::ApiDeclaration query;
  query.name = "QueryHost";
  query.inventory = "Host";
  r.addApi(query);

  auto& db = r.database();
  auto& bus = r.bus();
  auto& logger = r.logger();
  const auto& extensions = r.extensions();
  auto connections = std::make_shared<strato::host::HostConnections>(bus, db, extensions,
                                                                     r.globalConfig(), logger);
  auto tracker = std::make_shared<strato::host::PingTracker>(bus, db, r.globalConfig(), logger);

  auto serve = [&](strato::ApiDeclaration decl, std::function<Reply(const Message&)> work) {
    r.addApi(decl);
    r.handle(decl.messageType, strato::blockingHandler(bus, std::move(work)));
  };
  serve(hostApi("UpdateHost"),
        [&db](const Message& m) { return strato::host::updateHost(db, m.body["params"]); });
  auto changeState = hostApi("ChangeHostState");
  r.addApi(changeState);
  r.handle(changeState.messageType,
           [c = strato::host::MaintenanceContext{bus, db, r.globalConfig(), extensions, logger}](
               Message m, strato::Replier reply) {
             strato::host::changeHostState(c, m.body["params"], std::move(reply));
           });
  serve(hostApi("ReconnectHost"), [connections](const Message& m) {
    return connections->reconnect(m.body["params"]["uuid"]);
  });
  auto plain = [](const char* name) {
    auto decl = hostApi(name);
    decl.inventory.clear();
    return decl;
  };
  serve(plain("GetHypervisorTypes"),
        [&extensions](const Message&) { return strato::host::getHypervisorTypes(extensions); });
  serve(plain("GetHostAllocatorStrategies"),
        [](const Message&) { return strato::host::getHostAllocatorStrategies(); });
  // The catalog knows the manual's spellings (zoneUids, ...) and only KVM/ESC; accept ZStack's
  // SDK spellings too, and any hypervisor type.
  auto capacity = plain("GetCpuMemoryCapacity");
  using strato::ParamType;
  for (const char* list :
       {"zoneUuids", "clusterUuids", "hostUuids", "zoneUids", "clusterUids", "hostUids"}) {
    capacity.params.push_back({list, ParamType::kList, false});
  }
  capacity.params.push_back({"all", ParamType::kBoolean, false});
  capacity.params.push_back({"hypervisorType", ParamType::kString, false});
  serve(capacity, [&db](const Message& m) {
    return strato::host::getCpuMemoryCapacity(db, m.body["params"]);
  });

  auto remove = hostApi("DeleteHost");
  r.addApi(remove);
  r.handle(remove.messageType, [&bus, &db](Message m, strato::Replier reply) {
    const Json& p = m.body["params"];
    std::string uuid = p["uuid"];
    strato::deleteWithCascade(bus, "HostVO", uuid, p.value("deleteMode", "Permissive"),
                              [&bus, &db, uuid]() -> Reply {
                                auto removed = strato::host::removeHosts(db, bus, {uuid});
                                if (!removed) return removed.error();
                                return Json::object();
                              },
                              std::move(reply));
  });

  r.handle(std::string(strato::kAddHostMessage),
           strato::blockingHandler(
               bus, [connections](const Message& m) { return connections->add(m.body); }));
  r.handle(std::string(strato::host::kPingMessage),
           strato::blockingHandler(bus, [connections](const Message& m) -> Reply {
             auto pinged = connections->ping(m.resourceUuid);
             if (!pinged) return pinged.error();
             return Json::object();
           }));
  r.handle(std::string(strato::kReserveHostCapacityMessage),
           strato::blockingHandler(
               bus, [&db](const Message& m) { return strato::host::reserveCapacity(db, m.body); }));
  r.handle(std::string(strato::kReleaseHostCapacityMessage),
           strato::blockingHandler(
               bus, [&db](const Message& m) { return strato::host::releaseCapacity(db, m.body); }));
  r.subscribe(std::string(strato::kGlobalConfigUpdatedEvent),
              [tracker, &bus, &db, &configs = r.globalConfig(), &logger](const Message& e) {
                std::string category = e.body.value("category", ""),
                            name = e.body.value("name", "");
                if (category == "host" && name == "ping.interval") tracker->intervalChanged();
                using namespace strato::host;
                if ((category == kCpuRatioCategory && name == kCpuRatioName) ||
                    (category == kMemoryRatioCategory && name == kMemoryRatioName)) {
                  bus.postBlocking([&db, &configs, &logger] {
                    if (auto st = applyOverProvisioning(db, overProvisioning(configs)); !st)
                      logger.error("host.overProvisioning.failed error=" + st.error().describe());
                  });
                }
              });
  r.addExtension<strato::CascadeNode>("HostVO",
                                      std::make_shared<strato::host::HostCascade>(db, bus));
  r.onStart([tracker]() -> strato::Status {
    tracker->start();
    return {};
  });
  r.onStop([tracker] { tracker->stop(); });
  return {};
}

}  // namespace

STRATO_PLUGIN("host", "0.1.0", init)
