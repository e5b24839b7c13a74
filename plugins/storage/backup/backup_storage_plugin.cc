// Backup storage (section 4.5 of the ZStack manual, without Ceph): the base (rows, states,
// statuses, zone attachments, capacities) and the types ImageStoreBackupStorage and
// SftpBackupStorage (a directory on a machine reached by SSH) and SimulatorBackupStorage.
// The image APIs of 4.5 (export, delete exported, migrate, reclaim space) need images: the kernel
// answers them "not implemented" until the image plugin declares them.
#include <strato/sdk.h>

#include "bs_cascade.h"
#include "bs_schema.h"
#include "bs_service.h"
#include "simulator_bs_driver.h"
#include "ssh_storage_driver.h"

namespace {

using strato::ApiDeclaration;
using strato::HttpMethod;
using strato::Json;
using strato::Message;
using strato::ParamType;
using strato::Reply;
using strato::backup::BackupStorageService;
using Service = std::shared_ptr<BackupStorageService>;
using Serve = std::function<void(ApiDeclaration, std::function<Reply(const Json&)>)>;

ApiDeclaration bsApi(const std::string& name) {
  ApiDeclaration decl;
  decl.name = name;
  decl.messageType = "backupStorage." + name;
  decl.inventory = "BackupStorage";
  decl.adminOnly = true;  // hardware belongs to the cloud's operator
  return decl;
}

ApiDeclaration plainApi(const std::string& name) {
  auto decl = bsApi(name);
  decl.inventory.clear();
  return decl;
}

// APIs ZStack has and the manual leaves out (the SFTP type, the simulator) are declared in full,
// as ZStack's API messages define them.
ApiDeclaration fullApi(const std::string& name, HttpMethod method, std::string path,
                       std::string actionKey, std::vector<strato::ApiParam> params) {
  auto decl = bsApi(name);
  decl.method = method;
  decl.path = std::move(path);
  decl.actionKey = std::move(actionKey);
  decl.params = std::move(params);
  decl.params.push_back({"systemTags", ParamType::kList, false});
  decl.params.push_back({"userTags", ParamType::kList, false});
  decl.responseKind = "inventory";
  return decl;
}

const std::vector<strato::ApiParam> kAddParams{
    {"name", ParamType::kString, true},           {"url", ParamType::kString, true},
    {"description", ParamType::kString, false},   {"type", ParamType::kString, false},
    {"importImages", ParamType::kBoolean, false}, {"resourceUuid", ParamType::kString, false}};
const std::vector<strato::ApiParam> kSshParams{{"hostname", ParamType::kString, false},
                                               {"username", ParamType::kString, false},
                                               {"password", ParamType::kString, false},
                                               {"sshPort", ParamType::kInteger, false}};

strato::Status addDrivers(strato::Registrar& r) {
  auto timeout = r.config().getInt("plugin.backup-storage.sshTimeoutMs", 15000);
  if (!timeout) return timeout.error();
  auto latency = r.config().getInt("plugin.backup-storage.simulatorLatencyMs", 0);
  if (!latency) return latency.error();
  auto imageBytes = r.config().getInt("plugin.backup-storage.simulatorImageBytes", 64LL << 20);
  if (!imageBytes) return imageBytes.error();
  using namespace strato::backup;
  for (auto type : {kImageStoreType, kSftpType}) {
    r.addExtension<BackupStorageDriver>(
        std::string(type),
        std::make_shared<SshStorageDriver>(std::string(type), std::chrono::milliseconds(*timeout)));
  }
  r.addExtension<BackupStorageDriver>(
      std::string(kSimulatorType),
      std::make_shared<SimulatorBackupStorageDriver>(
          r.database(), std::chrono::milliseconds(*latency), *imageBytes));
  return {};
}

// ImageStore and SFTP: the same SSH settings, each with its own add, reconnect and update APIs.
void addSshTypeApis(const Service& service, const Serve& serve) {
  auto sshSettings = [](const Json& p) {
    Json extra = Json::object();
    for (const char* key : {"hostname", "username", "password"}) extra[key] = p.value(key, "");
    extra["sshPort"] = p.value("sshPort", std::int64_t{22});
    return extra;
  };
  const std::string sftpPath = "/zstack/v1/backup-storage/sftp";
  struct Forms {
    std::string type;
    ApiDeclaration add, reconnect, update;
  };
  auto sftpAdd = kAddParams;
  sftpAdd.insert(sftpAdd.end(), kSshParams.begin(), kSshParams.end());
  for (auto& p : sftpAdd) {
    if (p.name != "sshPort")
      p.required =
          p.required || p.name == "hostname" || p.name == "username" || p.name == "password";
  }
  auto sftpUpdate = kSshParams;
  sftpUpdate.insert(sftpUpdate.begin(), {{"uuid", ParamType::kString, true},
                                         {"name", ParamType::kString, false},
                                         {"description", ParamType::kString, false}});
  using strato::backup::kImageStoreType;
  using strato::backup::kSftpType;
  for (const auto& f :
       {Forms{std::string(kImageStoreType), bsApi("AddImageStoreBackupStorage"),
              bsApi("ReconnectImageStoreBackupStorage"), bsApi("UpdateImageStoreBackupStorage")},
        Forms{std::string(kSftpType),
              fullApi("AddSftpBackupStorage", HttpMethod::kPost, sftpPath, "params", sftpAdd),
              fullApi("ReconnectSftpBackupStorage", HttpMethod::kPut, sftpPath + "/{uuid}/actions",
                      "reconnectSftpBackupStorage", {{"uuid", ParamType::kString, true}}),
              fullApi("UpdateSftpBackupStorage", HttpMethod::kPut, sftpPath + "/{uuid}/actions",
                      "updateSftpBackupStorage", sftpUpdate)}}) {
    serve(f.add, [service, sshSettings, type = f.type](const Json& p) {
      return service->add(type, p, sshSettings(p));
    });
    serve(f.reconnect,
          [service, type = f.type](const Json& p) { return service->reconnect(p["uuid"], type); });
    serve(f.update, [service, type = f.type](const Json& p) { return service->update(p, type); });
  }
}

void addSimulatorApi(const Service& service, const Serve& serve) {
  auto params = kAddParams;
  params.push_back({"totalCapacity", ParamType::kLong, false});
  params.push_back({"availableCapacity", ParamType::kLong, false});
  // Simulated capacities default to 1 TiB, all free.
  serve(fullApi("AddSimulatorBackupStorage", HttpMethod::kPost,
                "/zstack/v1/backup-storage/simulators", "params", params),
        [service](const Json& p) {
          std::int64_t total = p.value("totalCapacity", std::int64_t{1} << 40);
          Json extra{{"totalCapacity", total},
                     {"availableCapacity", p.value("availableCapacity", total)}};
          return service->add(std::string(strato::backup::kSimulatorType), p, extra);
        });
}

void addQueryApis(strato::Registrar& r) {
  ApiDeclaration all;
  all.name = "QueryBackupStorage";
  all.inventory = "BackupStorage";
  all.extraPaths = {"/zstack/v1/backup-storage/{uuid}"};
  r.addApi(all);
  ApiDeclaration imageStore;
  imageStore.name = "QueryImageStoreBackupStorage";
  imageStore.inventory = "ImageStoreBackupStorage";
  imageStore.extraPaths = {"/zstack/v1/backup-storage/image-store/{uuid}"};
  r.addApi(imageStore);
  ApiDeclaration sftp;
  sftp.name = "QuerySftpBackupStorage";
  sftp.inventory = "SftpBackupStorage";
  sftp.path = "/zstack/v1/backup-storage/sftp";
  sftp.extraPaths = {"/zstack/v1/backup-storage/sftp/{uuid}"};
  sftp.responseKind = "inventories";
  sftp.params = {
      {"q", ParamType::kList, false},         {"limit", ParamType::kInteger, false},
      {"start", ParamType::kInteger, false},  {"count", ParamType::kBoolean, false},
      {"groupBy", ParamType::kString, false}, {"replyWithCount", ParamType::kBoolean, false},
      {"sort", ParamType::kString, false},    {"fields", ParamType::kList, false}};
  r.addApi(sftp);
}

strato::Status init(strato::Registrar& r) {
  strato::backup::addSchema(r);
  if (auto added = addDrivers(r); !added) return added;
  auto& db = r.database();
  auto& bus = r.bus();
  auto service = std::make_shared<BackupStorageService>(bus, db, r.extensions(), r.logger());
  addQueryApis(r);

  Serve serve = [&r, &bus](ApiDeclaration decl, std::function<Reply(const Json&)> work) {
    r.addApi(decl);
    r.handle(decl.messageType, strato::blockingHandler(bus, [work](const Message& m) {
               return work(m.body["params"]);
             }));
  };
  addSshTypeApis(service, serve);
  addSimulatorApi(service, serve);
  serve(bsApi("ReconnectBackupStorage"),
        [service](const Json& p) { return service->reconnect(p["uuid"], ""); });
  serve(bsApi("UpdateBackupStorage"), [service](const Json& p) { return service->update(p, ""); });
  serve(bsApi("ChangeBackupStorageState"),
        [service](const Json& p) { return service->changeState(p); });
  serve(plainApi("GetBackupStorageCapacity"),
        [service](const Json& p) { return service->capacity(p); });
  serve(plainApi("GetBackupStorageTypes"), [service](const Json&) {
    return Reply(Json{{"backupStorageTypes", service->types()}});
  });
  serve(bsApi("GetBackupStorageCandidatesForImageMigration"), [service](const Json& p) {
    return service->migrationCandidates(p["srcBackupStorageUuid"]);
  });

  // Attach and detach name the storage {backupStorageUuid}: forwarded to the storage's queue.
  for (auto [name, attach] : {std::pair{"AttachBackupStorageToZone", true},
                              std::pair{"DetachBackupStorageFromZone", false}}) {
    auto decl = bsApi(name);
    std::string inner = decl.messageType + ".Queued";
    r.addApi(decl);
    r.handle(decl.messageType, strato::forwardToQueue(bus, "backupStorageUuid", inner));
    r.handle(inner, strato::blockingHandler(bus, [service, attach = attach](const Message& m) {
               const Json& p = m.body["params"];
               return attach ? service->attach(p["backupStorageUuid"], p["zoneUuid"])
                             : service->detach(p["backupStorageUuid"], p["zoneUuid"]);
             }));
  }

  // Image files, for the image plugin: not queued on the storage, so downloads run side by side.
  using Work = Reply (BackupStorageService::*)(const Json&);
  for (auto [type, work] :
       {std::pair<std::string_view, Work>{strato::kDownloadImageMessage,
                                          &BackupStorageService::downloadImage},
        {strato::kCopyImageMessage, &BackupStorageService::copyImage},
        {strato::kImportVolumeMessage, &BackupStorageService::importVolume},
        {strato::kStatImageMessage, &BackupStorageService::statImage},
        {strato::kDeleteImageMessage, &BackupStorageService::deleteImage},
        {strato::kExportImageMessage, &BackupStorageService::exportImage},
        {strato::kSendImageMessage, &BackupStorageService::sendImage},
        {strato::kReclaimImagesMessage, &BackupStorageService::reclaimImages}}) {
    r.handle(std::string(type),
             strato::blockingHandler(bus, [service, work = work](const Message& m) {
               return ((*service).*work)(m.body);
             }));
  }

  auto remove = bsApi("DeleteBackupStorage");
  r.addApi(remove);
  // Zone attachments go first (the CascadeNode below BackupStorageVO), then the row.
  r.handle(remove.messageType, [&bus, service](Message m, strato::Replier reply) {
    const Json& p = m.body["params"];
    std::string uuid = p["uuid"];
    strato::deleteWithCascade(
        bus, "BackupStorageVO", uuid, p.value("deleteMode", "Permissive"),
        [service, uuid] { return service->deleteRow(uuid); }, std::move(reply));
  });
  r.addExtension<strato::CascadeNode>(
      "BackupStorageZoneRefVO",
      std::make_shared<strato::backup::ZoneAttachmentCascade>(db, service));
  return {};
}

}  // namespace

STRATO_PLUGIN("backup-storage", "0.1.0", init)
