// Volumes (section 3.2 of the ZStack manual): data volumes, the volumes of VMs (for the vm
// plugin), snapshots and snapshot groups. CreateVolumeSnapshotScheduler (3.2.26) is the
// scheduler plugin's.
#include <strato/deletion_policy.h>
#include <strato/rendering.h>
#include <strato/sdk.h>

#include "snapshot_apis.h"
#include "volume_schema.h"
#include "volume_service.h"
#include "vm_volumes.h"

namespace {

using strato::ApiDeclaration;
using strato::Json;
using strato::Message;
using strato::Reply;
using strato::volume::VolumeService;
using Service = std::shared_ptr<VolumeService>;

// A catalog API by name; the kernel fills method, path and parameters from the catalog.
ApiDeclaration volumeApi(const std::string& name, bool returnsInventory) {
  ApiDeclaration decl;
  decl.name = name;
  decl.messageType = "volume." + name;
  if (returnsInventory) decl.inventory = "Volume";
  return decl;
}

// Volumes on a primary storage being deleted: Permissive refuses naming them, Enforcing deletes
// their files and rows (the kernel then forgets their owners and tags).
class VolumeCascade : public strato::CascadeNode {
 public:
  VolumeCascade(strato::Database& db, Service service) : db_(db), service_(std::move(service)) {}
  std::string resourceType() const override { return "VolumeVO"; }
  std::vector<std::string> parentTypes() const override { return {"PrimaryStorageVO"}; }
  strato::Result<std::vector<std::string>> below(
      const std::string& parentType, const std::vector<std::string>& storages) override {
    std::vector<std::string> out;
    if (parentType != "PrimaryStorageVO") return out;
    for (const auto& ps : storages) {
      auto rows = db_.query("SELECT uuid FROM volume WHERE primaryStorageUuid = ?", {ps});
      if (!rows) return rows.error();
      for (const auto& r : rows->rows) out.push_back(strato::dbText(r[0]));
    }
    return out;
  }
  strato::Status check(const std::vector<std::string>& uuids, strato::DeleteMode mode) override {
    if (mode == strato::DeleteMode::kEnforcing || uuids.empty()) return {};
    return strato::refusedBecauseOf(uuids, std::to_string(uuids.size()) +
                                               " volume(s) are on the primary storage; delete "
                                               "them first or use deleteMode=Enforcing");
  }
  strato::Status remove(const std::vector<std::string>& uuids, strato::DeleteMode) override {
    return service_->removeOnStorage(uuids);
  }

 private:
  strato::Database& db_;
  Service service_;
};

// volume.data.num and volume.capacity: the account's data volumes, deleted ones included (they
// hold their storage until expunged), as ZStack counts them.
class VolumeQuota : public strato::QuotaReporter {
 public:
  explicit VolumeQuota(strato::Database& db) : db_(db) {}
  std::vector<strato::QuotaDefinition> definitions() const override {
    return {{"volume.data.num", 40}, {"volume.capacity", 10000LL << 30}};
  }
  strato::Result<std::map<std::string, std::int64_t>> usage(std::string_view account) override {
    auto rows = db_.query(
        "SELECT COUNT(*), SUM(v.size) FROM volume v JOIN account_resource_ref r ON "
        "r.resourceUuid = v.uuid WHERE r.accountUuid = ? AND v.type = 'Data'",
        {std::string(account)});
    if (!rows) return rows.error();
    // SUM over no rows is NULL, which dbInt reads as 0.
    const auto& r = rows->rows.at(0);
    return std::map<std::string, std::int64_t>{{"volume.data.num", strato::dbInt(r[0])},
                                               {"volume.capacity", strato::dbInt(r[1])}};
  }

 private:
  strato::Database& db_;
};

strato::Status init(strato::Registrar& r) {
  strato::volume::addSchema(r);
  auto& bus = r.bus();
  auto service = std::make_shared<VolumeService>(bus, r.database(), r.globalConfig(),
                                                 r.extensions(), r.logger());

  ApiDeclaration query;
  query.name = "QueryVolume";
  query.inventory = "Volume";
  query.extraPaths = {"/zstack/v1/volumes/{uuid}"};
  r.addApi(query);

  using Work = Reply (VolumeService::*)(const Json&);
  auto serve = [&](ApiDeclaration decl, Work work) {
    r.addApi(decl);
    r.handle(decl.messageType, strato::blockingHandler(bus, [service, work](const Message& m) {
               return ((*service).*work)(m.body["params"]);
             }));
  };
  // The creations check the caller's quotas: they need the session's account.
  using Create = Reply (VolumeService::*)(const Json&, const std::string&);
  for (auto [name, work] :
       {std::pair<const char*, Create>{"CreateDataVolume", &VolumeService::create},
        {"CreateDataVolumeFromVolumeTemplate", &VolumeService::createFromTemplate}}) {
    auto decl = volumeApi(name, true);
    r.addApi(decl);
    r.handle(decl.messageType,
             strato::blockingHandler(bus, [service, work = work](const Message& m) {
               const Json& session = m.body["session"];
               std::string account =
                   session.is_object() ? session.value("accountUuid", "") : std::string();
               return ((*service).*work)(m.body["params"], account);
             }));
  }
  // The kernel keeps the owner of a volume only marked Deleted (its row stays); expunging
  // forgets it.
  serve(volumeApi("DeleteDataVolume", true), &VolumeService::remove);
  serve(volumeApi("ExpungeDataVolume", false), &VolumeService::expunge);
  serve(volumeApi("RecoverDataVolume", true), &VolumeService::recover);
  serve(volumeApi("ChangeVolumeState", true), &VolumeService::changeState);
  serve(volumeApi("UpdateVolume", true), &VolumeService::update);
  serve(volumeApi("SyncVolumeSize", true), &VolumeService::syncSize);
  serve(volumeApi("ResizeDataVolume", true), &VolumeService::resize);
  serve(volumeApi("ResizeRootVolume", true), &VolumeService::resizeRoot);
  // 4.4.13-14 (primary storage's section; the volume is what moves). Queued on the volume.
  auto migrate = volumeApi("PrimaryStorageMigrateVolume", true);
  r.addApi(migrate);
  r.handle(migrate.messageType, strato::forwardToQueue(bus, "volumeUuid", "volume.MigrateQueued"));
  r.handle("volume.MigrateQueued", strato::blockingHandler(bus, [service](const Message& m) {
             return service->migrate(m.body["params"]);
           }));
  auto candidates = volumeApi("GetPrimaryStorageCandidatesForVolumeMigration", false);
  r.addApi(candidates);
  r.handle(candidates.messageType, strato::replyingRendered(bus, [service](const Message& m) {
             return strato::inventoriesOf("PrimaryStorage", service->migrationCandidates(m.body["params"]));
           }));
  // 4.4.15.3 and 4.4.15.5: a volume on a host's local disk moves to another host's.
  ApiDeclaration toHost = volumeApi("LocalStorageMigrateVolume", false);
  toHost.inventory = "LocalStorageResourceRef";
  r.addApi(toHost);
  r.handle(toHost.messageType,
           strato::forwardToQueue(bus, "volumeUuid", "volume.MigrateToHostQueued"));
  r.handle("volume.MigrateToHostQueued", [&bus, service](Message m, strato::Replier replier) {
    auto reply = strato::share(std::move(replier));
    bus.postBlocking([&bus, service, reply, params = m.body["params"]] {
      auto moved = service->migrateToHost(params);
      if (!moved) return (*reply)(moved.error());
      Json find{{"inventory", "LocalStorageResourceRef"},
                {"conditions",
                 {"resourceUuid=" + (*moved)["uuid"].get<std::string>(),
                  "primaryStorageUuid=" + (*moved)["primaryStorageUuid"].get<std::string>()}}};
      bus.request({std::string(strato::kRenderInventoryMessage), "", find},
                  [reply](Reply rendered) { (*reply)(std::move(rendered)); });
    });
  });
  auto hostCandidates = volumeApi("LocalStorageGetVolumeMigratableHosts", false);
  r.addApi(hostCandidates);
  r.handle(hostCandidates.messageType, strato::replyingRendered(bus, [service](const Message& m) {
             return strato::inventoriesOf("Host", service->hostCandidates(m.body["params"]));
           }));
  serve(volumeApi("GetVolumeFormat", false), &VolumeService::formats);
  serve(volumeApi("GetVolumeCapabilities", false), &VolumeService::capabilities);
  serve(volumeApi("SetVolumeQoS", false), &VolumeService::setQos);
  serve(volumeApi("GetVolumeQoS", false), &VolumeService::getQos);
  serve(volumeApi("DeleteVolumeQoS", true), &VolumeService::deleteQos);

  // The Delay policy's sweep expunges in the volume's queue, like an ExpungeDataVolume call.
  r.handle("volume.ExpungeDue", strato::blockingHandler(bus, [service](const Message& m) {
             return service->expunge(m.body);
           }));
  strato::addDeletionPolicy(r, {"volume", "Delay", "volume", "DeleteDataVolume", "ExpungeDataVolume"},
                            [service] { service->expungeDue(); });

  auto vmVolumes = std::make_shared<strato::volume::VmVolumes>(bus, r.database(), r.logger());
  r.handle(std::string(strato::kCreateVmVolumeMessage), [vmVolumes](Message m, strato::Replier reply) {
    vmVolumes->create(m.body, std::move(reply));
  });
  r.handle(std::string(strato::kExpungeVmVolumeMessage), [vmVolumes](Message m, strato::Replier reply) {
    vmVolumes->expunge(m.body, std::move(reply));
  });
  r.handle(std::string(strato::kAttachVmVolumeMessage), [vmVolumes](Message m, strato::Replier reply) {
    vmVolumes->attachOne(m.body, std::move(reply));
  });
  r.handle(std::string(strato::kDetachVmVolumeMessage),
           strato::blockingHandler(bus, [vmVolumes](const Message& m) { return vmVolumes->detachOne(m.body); }));
  r.handle(std::string(strato::kDetachVmVolumesMessage),
           strato::blockingHandler(bus, [vmVolumes](const Message& m) { return vmVolumes->detach(m.body); }));

  strato::volume::addSnapshotApis(
      r, std::make_shared<strato::volume::SnapshotService>(bus, r.database(), r.logger()), service);
  // Its migration follows the snapshots' (they are numbered in order).
  strato::volume::addShareableSchema(r);
  ApiDeclaration shareableRefs;
  shareableRefs.name = "QueryShareableVolumeVmInstanceRef";
  shareableRefs.inventory = "ShareableVolumeVmInstanceRef";
  r.addApi(shareableRefs);

  r.addExtension<strato::CascadeNode>("VolumeVO",
                                      std::make_shared<VolumeCascade>(r.database(), service));
  r.addExtension<strato::QuotaReporter>("volume", std::make_shared<VolumeQuota>(r.database()));
  return {};
}

}  // namespace

STRATO_PLUGIN("volume", "0.1.0", init)
