// Images (section 3.3 of the ZStack manual): adding them from a URL onto backup storage,
// deleting (by image.deletionPolicy), recovering, expunging, state, update, size sync and the
// QGA flag; plus the image APIs of backup storage (4.5.8, 4.5.9, 4.5.12, 4.5.14.5). The APIs that
// make images from volumes and snapshots (3.3.9-3.3.12) need volumes: the kernel answers them
// "not implemented" until the volume plugin exists.
#include <strato/deletion_policy.h>
#include <strato/rendering.h>
#include <strato/sdk.h>

#include "image_schema.h"
#include "image_service.h"

namespace {

using strato::ApiDeclaration;
using strato::Json;
using strato::Message;
using strato::ParamType;
using strato::Reply;
using strato::image::ImageService;
using Service = std::shared_ptr<ImageService>;

ApiDeclaration imageApi(const std::string& name) {
  ApiDeclaration decl;
  decl.name = name;
  decl.messageType = "image." + name;
  decl.inventory = "Image";
  return decl;
}

// The manual spells ExpungeImage's action key "expungelImage" and asks for a parameter "Uuid";
// ZStack's SDKs send "expungeImage" with imageUuid, which is what is declared.
ApiDeclaration expungeApi() {
  auto decl = imageApi("ExpungeImage");
  decl.method = strato::HttpMethod::kPut;
  decl.path = "/zstack/v1/images/{imageUuid}/actions";
  decl.actionKey = "expungeImage";
  decl.params = {{"imageUuid", ParamType::kString, true},
                 {"backupStorageUuids", ParamType::kList, false},
                 {"systemTags", ParamType::kList, false},
                 {"userTags", ParamType::kList, false}};
  decl.responseKind = "empty";
  return decl;
}

void addGlobalConfigs(strato::Registrar& r) {
  using strato::GlobalConfigType;
  r.addGlobalConfig({"image",
                     "download.timeout",
                     "10800",
                     "seconds a backup storage may take to download an image",
                     GlobalConfigType::kInteger,
                     60,
                     std::nullopt,
                     {}});
}

// The refs of images on a backup storage go with it; an image left on no storage goes too.
class StorageRefCascade : public strato::CascadeNode {
 public:
  StorageRefCascade(strato::Database& db, Service service)
      : db_(db), service_(std::move(service)) {}
  std::string resourceType() const override { return "ImageBackupStorageRefVO"; }
  std::vector<std::string> parentTypes() const override { return {"BackupStorageVO"}; }
  strato::Result<std::vector<std::string>> below(
      const std::string&, const std::vector<std::string>& storages) override {
    std::vector<std::string> names;
    for (const auto& bs : storages) {
      auto rows = db_.query(
          "SELECT imageUuid FROM image_backup_storage_ref WHERE backupStorageUuid = ?", {bs});
      if (!rows) return rows.error();
      for (const auto& r : rows->rows) names.push_back(strato::dbText(r[0]) + ":" + bs);
    }
    return names;
  }
  strato::Status remove(const std::vector<std::string>& names, strato::DeleteMode) override {
    for (const auto& name : names) {
      auto colon = name.find(':');
      if (colon == std::string::npos) continue;
      auto s = service_->dropRefs(name.substr(0, colon), {name.substr(colon + 1)});
      if (!s) return s;
    }
    return {};
  }

 private:
  strato::Database& db_;
  Service service_;
};

strato::Status init(strato::Registrar& r) {
  strato::image::addSchema(r);
  addGlobalConfigs(r);
  auto& bus = r.bus();
  auto service = std::make_shared<ImageService>(bus, r.database(), r.globalConfig(), r.logger());

  ApiDeclaration query;
  query.name = "QueryImage";
  query.inventory = "Image";
  query.extraPaths = {"/zstack/v1/images/{uuid}"};
  r.addApi(query);

  auto add = imageApi("AddImage");
  r.addApi(add);
  r.handle(add.messageType,
           [service](Message m, strato::Replier reply) { service->add(m, std::move(reply)); });

  using Source = ImageService::VolumeSource;
  for (auto [name, source] : {std::pair{"CreateRootVolumeTemplateFromRootVolume", Source::kRootVolume},
                              std::pair{"CreateRootVolumeTemplateFromVolumeSnapshot", Source::kSnapshot},
                              std::pair{"CreateDataVolumeTemplateFromVolume", Source::kDataVolume}}) {
    auto decl = imageApi(name);
    r.addApi(decl);
    r.handle(decl.messageType, [service, source = source](Message m, strato::Replier reply) {
      service->createFromVolume(m, source, std::move(reply));
    });
  }

  using Work = Reply (ImageService::*)(const Json&);
  auto serve = [&](ApiDeclaration decl, Work work, const char* queueBy = nullptr) {
    r.addApi(decl);
    std::string type = decl.messageType;
    if (queueBy) {
      // The API names the image by another variable than {uuid}: queued on it all the same.
      type += ".Queued";
      r.handle(decl.messageType, strato::forwardToQueue(bus, queueBy, type));
    }
    r.handle(type, strato::blockingHandler(bus, [service, work](const Message& m) {
               return ((*service).*work)(m.body["params"]);
             }));
  };
  serve(imageApi("DeleteImage"), &ImageService::remove);
  serve(imageApi("RecoverImage"), &ImageService::recover, "imageUuid");
  serve(expungeApi(), &ImageService::expunge, "imageUuid");
  serve(imageApi("ChangeImageState"), &ImageService::changeState);
  serve(imageApi("UpdateImage"), &ImageService::update);
  serve(imageApi("SyncImageSize"), &ImageService::syncSize);
  serve(imageApi("SetImageQga"), &ImageService::setQga);
  auto candidates = imageApi("GetCandidateBackupStorageForCreatingImage");
  candidates.inventory.clear();
  r.addApi(candidates);
  r.handle(candidates.messageType, strato::replyingRendered(bus, [service](const Message& m) {
             return strato::inventoriesOf("BackupStorage", service->candidateStorages(m.body["params"]));
           }));
  auto getQga = imageApi("GetImageQga");
  getQga.inventory.clear();
  serve(getQga, &ImageService::qga);

  // Backup storage's image APIs belong to the cloud's operator.
  auto storageApi = [](const char* name) {
    auto decl = imageApi(name);
    decl.inventory.clear();
    decl.adminOnly = true;
    return decl;
  };
  serve(storageApi("ExportImageFromBackupStorage"), &ImageService::exportImage, "imageUuid");
  serve(storageApi("DeleteExportedImageFromBackupStorage"), &ImageService::deleteExported,
        "imageUuid");
  serve(storageApi("ReclaimSpaceFromImageStore"), &ImageService::reclaim);
  auto migrate = storageApi("BackupStorageMigrateImage");
  migrate.inventory = "Image";
  serve(migrate, &ImageService::migrate, "imageUuid");

  // The Delay policy's sweep expunges in the image's queue, like an ExpungeImage call would.
  r.handle("image.ExpungeDue", strato::blockingHandler(bus, [service](const Message& m) {
             return service->expunge(m.body);
           }));
  strato::addDeletionPolicy(r, {"image", "Delay", "image", "DeleteImage", "ExpungeImage"},
                            [service] { service->expungeDue(); });

  r.addExtension<strato::CascadeNode>("ImageBackupStorageRefVO",
                                      std::make_shared<StorageRefCascade>(r.database(), service));
  return {};
}

}  // namespace

STRATO_PLUGIN("image", "0.1.0", init)
