// Primary storage (section 4.4 of the ZStack manual, without Ceph and SharedBlock): the base
// (rows, states, statuses, cluster attachments, capacities) and the LocalStorage, NFS,
// SharedMountPoint and Simulator types as PrimaryStorageDriver classes (see ps_driver.h for why
// they live here). APIs that need volumes (4.4.13, 4.4.14, 4.4.15.3, 4.4.15.5) are left to the
// volume plugin: the kernel answers them "not implemented" until it lands.
#include <strato/host_events.h>
#include <strato/sdk.h>

#include "agent_client/kvm_protocol.h"
#include "local_storage_driver.h"
#include "ps_apis.h"
#include "ps_cascade.h"
#include "ps_schema.h"
#include "ps_service.h"
#include "ps_volumes.h"
#include "shared_storage_driver.h"
#include "simulator_storage_driver.h"

namespace {

using strato::Json;
using strato::Message;
using strato::Reply;
using strato::primary::PrimaryStorageService;
using Service = std::shared_ptr<PrimaryStorageService>;

// Sent per storage (resourceUuid = the storage) when a host of an attached cluster connects.
constexpr const char* kHostJoinedMessage = "primaryStorage.HostJoined";

strato::ApiDeclaration psApi(const char* name) {
  strato::ApiDeclaration decl;
  decl.name = name;
  decl.messageType = std::string("primaryStorage.") + name;
  decl.inventory = "PrimaryStorage";
  decl.adminOnly = true;  // hardware belongs to the cloud's operator
  return decl;
}

// ZStack keeps AddSimulatorPrimaryStorage for its own tests; it is not in the manual, so it is
// declared in full: APIAddSimulatorPrimaryStorageMsg's fields.
strato::ApiDeclaration addSimulatorApi() {
  using strato::ParamType;
  auto decl = psApi("AddSimulatorPrimaryStorage");
  decl.method = strato::HttpMethod::kPost;
  decl.path = "/zstack/v1/primary-storage/simulators";
  decl.actionKey = "params";
  decl.params = {
      {"name", ParamType::kString, true},         {"description", ParamType::kString, false},
      {"url", ParamType::kString, true},          {"zoneUuid", ParamType::kString, true},
      {"totalCapacity", ParamType::kLong, false}, {"availableCapacity", ParamType::kLong, false},
      {"type", ParamType::kString, false},        {"resourceUuid", ParamType::kString, false},
      {"systemTags", ParamType::kList, false},    {"userTags", ParamType::kList, false}};
  decl.responseKind = "inventory";
  return decl;
}

// The catalog spells Sync's path /primary-storage/{primaryStorageUuid}/actions. The router
// takes that for another template than the {uuid} one the other actions share and never reaches
// it, so it is declared with {uuid}: the same URL and body on the wire, and the kernel then
// queues it per storage like the other actions.
strato::ApiDeclaration syncCapacityApi() {
  auto decl = psApi("SyncPrimaryStorageCapacity");
  decl.method = strato::HttpMethod::kPut;
  decl.path = "/zstack/v1/primary-storage/{uuid}/actions";
  decl.actionKey = "syncPrimaryStorageCapacity";
  decl.params = {{"uuid", strato::ParamType::kString, true}};
  decl.responseKind = "inventory";
  return decl;
}

strato::Status addDrivers(strato::Registrar& r) {
  const auto& config = r.config();
  auto disk = config.getInt("plugin.primary-storage.simulatorHostDiskBytes", 1LL << 40);
  if (!disk) return disk.error();
  auto shared = config.getInt("plugin.primary-storage.simulatorSharedBytes", 10LL << 40);
  if (!shared) return shared.error();
  auto latency = config.getInt("plugin.primary-storage.simulatorLatencyMs", 0);
  if (!latency) return latency.error();
  // How long a host agent may take over one volume file (a copy of a large volume, say).
  auto agentTimeout = config.getInt("plugin.primary-storage.agentTimeoutSeconds", 3600);
  if (!agentTimeout) return agentTimeout.error();
  using namespace strato::primary;
  auto tasks = std::make_shared<strato::agent::TaskCalls>(
      r.bus(), std::string(strato::kvm::kStorageTaskDone));
  r.handle(tasks->callbackType(), tasks->handler());
  AgentFiles files(r.bus(), tasks, std::chrono::seconds(*agentTimeout));
  r.addExtension<PrimaryStorageDriver>(
      std::string(kLocalStorageType),
      std::make_shared<LocalStorageDriver>(r.database(), *disk, files));
  for (auto type : {kNfsType, kSharedMountPointType}) {
    r.addExtension<PrimaryStorageDriver>(std::string(type), std::make_shared<SharedStorageDriver>(
                                                                std::string(type), *shared, files));
  }
  r.addExtension<PrimaryStorageDriver>(
      std::string(kSimulatorType),
      std::make_shared<SimulatorStorageDriver>(r.database(), std::chrono::milliseconds(*latency)));
  return {};
}

void addTypeApis(
    strato::Registrar& r, const Service& service,
    const std::function<void(strato::ApiDeclaration, std::function<Reply(const Json&)>)>& serve) {
  using namespace strato::primary;
  for (auto [api, type] : {std::pair{"AddLocalPrimaryStorage", kLocalStorageType},
                           std::pair{"AddNfsPrimaryStorage", kNfsType},
                           std::pair{"AddSharedMountPointPrimaryStorage", kSharedMountPointType}}) {
    serve(psApi(api), [service, type = std::string(type)](const Json& p) {
      return service->add(type, p, Json::object());
    });
  }
  // Simulated capacities default to 1 TiB, all free.
  serve(addSimulatorApi(), [service](const Json& p) {
    std::int64_t total = p.value("totalCapacity", std::int64_t{1} << 40);
    Json extra{{"totalCapacity", total},
               {"availableCapacity", p.value("availableCapacity", total)}};
    return service->add(std::string(kSimulatorType), p, extra);
  });
  auto hostDisks = psApi("GetLocalStorageHostDiskCapacity");
  hostDisks.inventory.clear();
  auto& db = r.database();
  serve(hostDisks, [&db](const Json& p) { return getLocalStorageHostDiskCapacity(db, p); });
}

// Attach and detach name the storage by another variable than {uuid}, so the kernel does
// not queue them per storage: they are forwarded to a second message that is, so one storage
// sees one change at a time (an attach racing a reconnect would count hosts twice).
void serveSerialized(strato::Registrar& r, strato::ApiDeclaration decl,
                     std::function<Reply(const Json&)> work) {
  auto& bus = r.bus();
  std::string inner = decl.messageType + ".Serialized";
  r.addApi(decl);
  r.handle(decl.messageType, strato::forwardToQueue(bus, "primaryStorageUuid", inner));
  r.handle(inner, strato::blockingHandler(
                      bus, [work](const Message& m) { return work(m.body["params"]); }));
}

void addHostEvents(strato::Registrar& r, const Service& service) {
  // A host of an attached cluster that comes Connected gets the storage too (mounted, its disk
  // counted).
  strato::followConnectedHosts(
      r, kHostJoinedMessage,
      [service](const std::string& host) { return service->storagesOfHost(host); },
      [service](const std::string& uuid, const std::string& host) {
        return service->hostJoined(uuid, host);
      },
      "primaryStorage.hostJoined");
  r.subscribe(std::string(strato::kHostDeletedEvent),
              [service](const Message& e) { service->hostDeleted(e.body.value("uuid", "")); });
}

// The volume plugin's messages (<strato/primary_storage.h>).
void addVolumeMessages(strato::Registrar& r, const Service& service) {
  auto& bus = r.bus();
  auto& db = r.database();
  using Work = Reply (*)(PrimaryStorageService&, strato::Database&, const Json&);
  for (auto [type, work] : {std::pair<std::string_view, Work>{strato::kCreateVolumeMessage,
                                                              strato::primary::createVolume},
                            {strato::kDeleteVolumeMessage, strato::primary::deleteVolume},
                            {strato::kResizeVolumeMessage, strato::primary::resizeVolume},
                            {strato::kVolumeSizeMessage, strato::primary::volumeSize},
                            {strato::kCreateSnapshotMessage, strato::primary::createSnapshot},
                            {strato::kRevertVolumeMessage, strato::primary::revertVolume},
                            {strato::kMoveVolumeToHostMessage, strato::primary::moveVolumeToHost},
                            {strato::kFileSourceMessage, strato::primary::fileSource}}) {
    r.handle(std::string(type),
             strato::blockingHandler(bus, [service, &db, work = work](const Message& m) {
               return work(*service, db, m.body);
             }));
  }
}

strato::Status init(strato::Registrar& r) {
  strato::primary::addSchema(r);
  if (auto added = addDrivers(r); !added) return added;
  auto& db = r.database();
  auto& bus = r.bus();
  auto service = std::make_shared<PrimaryStorageService>(bus, db, r.extensions(), r.logger());

  strato::ApiDeclaration query;
  query.name = "QueryPrimaryStorage";
  query.inventory = "PrimaryStorage";
  query.extraPaths = {"/zstack/v1/primary-storage/{uuid}"};
  r.addApi(query);
  strato::ApiDeclaration refs;
  refs.name = "QueryLocalStorageResourceRef";
  refs.inventory = "LocalStorageResourceRef";
  r.addApi(refs);

  auto serve = [&](strato::ApiDeclaration decl, std::function<Reply(const Json&)> work) {
    r.addApi(decl);
    r.handle(decl.messageType, strato::blockingHandler(bus, [work](const Message& m) {
               return work(m.body["params"]);
             }));
  };
  addTypeApis(r, service, serve);
  serveSerialized(r, psApi("AttachPrimaryStorageToCluster"), [service](const Json& p) {
    return service->attach(p["primaryStorageUuid"], p["clusterUuid"]);
  });
  serveSerialized(r, psApi("DetachPrimaryStorageFromCluster"), [service](const Json& p) {
    return service->detach(p["primaryStorageUuid"], p["clusterUuid"]);
  });
  serve(syncCapacityApi(), [service](const Json& p) { return service->syncCapacity(p["uuid"]); });
  serve(psApi("ReconnectPrimaryStorage"),
        [service](const Json& p) { return service->reconnect(p["uuid"]); });
  serve(psApi("ChangePrimaryStorageState"),
        [service](const Json& p) { return service->changeState(p); });
  serve(psApi("UpdatePrimaryStorage"), [service](const Json& p) { return service->update(p); });
  serve(psApi("CleanUpImageCacheOnPrimaryStorage"),
        [service](const Json& p) { return service->cleanUpImageCache(p["uuid"]); });

  auto plain = [](const char* name) {
    auto decl = psApi(name);
    decl.inventory.clear();
    return decl;
  };
  auto capacity = plain("GetPrimaryStorageCapacity");
  serve(capacity,
        [&db](const Json& p) { return strato::primary::getPrimaryStorageCapacity(db, p); });
  serve(plain("GetPrimaryStorageAllocatorStrategies"),
        [](const Json&) { return strato::primary::getPrimaryStorageAllocatorStrategies(); });
  serve(plain("GetPrimaryStorageTypes"),
        [service](const Json&) { return strato::primary::getPrimaryStorageTypes(*service); });

  auto remove = psApi("DeletePrimaryStorage");
  r.addApi(remove);
  // Attachments and local host refs go first (CascadeNodes below PrimaryStorageVO), then the row.
  r.handle(remove.messageType, [&bus, service](Message m, strato::Replier reply) {
    const Json& p = m.body["params"];
    std::string uuid = p["uuid"];
    strato::deleteWithCascade(
        bus, "PrimaryStorageVO", uuid, p.value("deleteMode", "Permissive"),
        [service, uuid] { return service->deleteRow(uuid); }, std::move(reply));
  });

  using strato::CascadeNode;
  r.addExtension<CascadeNode>(
      "PrimaryStorageVO", std::make_shared<strato::primary::PrimaryStorageCascade>(db, service));
  r.addExtension<CascadeNode>(
      "PrimaryStorageClusterRefVO",
      std::make_shared<strato::primary::ClusterAttachmentCascade>(db, service));
  r.addExtension<CascadeNode>("LocalStorageHostRefVO",
                              std::make_shared<strato::primary::LocalHostRefCascade>(db, service));
  addHostEvents(r, service);
  addVolumeMessages(r, service);
  return {};
}

}  // namespace

STRATO_PLUGIN("primary-storage", "0.1.0", init)
