// The snapshot APIs' declarations and handlers (see snapshot_service.h).
#include "snapshot_apis.h"

#include <strato/rendering.h>

#include "snapshot_schema.h"

namespace strato::volume {
namespace {

ApiDeclaration api(const char* name, const char* inventory) {
  ApiDeclaration decl;
  decl.name = name;
  decl.messageType = std::string("volume.") + name;
  decl.inventory = inventory;
  return decl;
}

std::string accountOf(const Message& m) {
  const Json& session = m.body["session"];
  return session.is_object() ? session.value("accountUuid", "") : std::string();
}

}  // namespace

void addSnapshotApis(Registrar& r, const std::shared_ptr<SnapshotService>& snapshots,
                     const std::shared_ptr<VolumeService>& volumes) {
  addSnapshotSchema(r);
  auto& bus = r.bus();
  for (auto [name, inventory, path] :
       {std::tuple{"QueryVolumeSnapshot", "VolumeSnapshot", ""},
        std::tuple{"QueryVolumeSnapshotTree", "VolumeSnapshotTree", ""},
        // Not in the manual's catalog; ZStack serves it here.
        std::tuple{"QueryVolumeSnapshotGroup", "VolumeSnapshotGroup", "/zstack/v1/volume-snapshots/group"}}) {
    ApiDeclaration query;
    query.name = name;
    query.inventory = inventory;
    if (*path) {
      query.path = path;
      query.method = HttpMethod::kGet;
      query.responseKind = "inventories";
      query.extraPaths = {std::string(path) + "/{uuid}"};
    }
    r.addApi(query);
  }

  // Snapshots of one volume change in the volume's queue.
  auto create = api("CreateVolumeSnapshot", "VolumeSnapshot");
  r.addApi(create);
  r.handle(create.messageType, forwardToQueue(bus, "volumeUuid", kCreateSnapshotQueued));
  r.handle(kCreateSnapshotQueued, [snapshots](Message m, Replier reply) {
    snapshots->create(m.body["params"], std::move(reply));
  });
  using Work = void (SnapshotService::*)(const Json&, Replier);
  for (auto [name, inner, work] :
       {std::tuple<const char*, const char*, Work>{"DeleteVolumeSnapshot",
                                                   kDeleteSnapshotQueued,
                                                   &SnapshotService::remove},
        std::tuple<const char*, const char*, Work>{"RevertVolumeFromSnapshot",
                                                   "volume.RevertVolumeFromSnapshotQueued",
                                                   &SnapshotService::revert}}) {
    auto decl = api(name, std::string(name) == "DeleteVolumeSnapshot" ? "VolumeSnapshot" : "");
    r.addApi(decl);
    r.handle(inner, [snapshots, work = work](Message m, Replier reply) {
      ((*snapshots).*work)(m.body["params"], std::move(reply));
    });
    r.handle(decl.messageType, [&bus, snapshots, inner = std::string(inner)](Message m, Replier replier) {
      auto reply = std::make_shared<Replier>(std::move(replier));
      bus.postBlocking([&bus, snapshots, inner, reply, body = std::move(m.body)] {
        auto volume = snapshots->volumeOf(textParam(body["params"], "uuid"));
        if (!volume) {
          // Deleting what is gone succeeds: the caller wanted it gone.
          if (inner == kDeleteSnapshotQueued) return (*reply)(Json::object());
          return (*reply)(volume.error());
        }
        bus.request({inner, *volume, body}, [reply](Reply done) { (*reply)(std::move(done)); });
      });
    });
  }

  // Blocking updates answered with the row rendered.
  auto update = [&](const char* name, const char* inventory, Reply (SnapshotService::*work)(const Json&)) {
    auto decl = api(name, inventory);
    r.addApi(decl);
    r.handle(decl.messageType, [&bus, snapshots, work, inventory](Message m, Replier replier) {
      auto reply = std::make_shared<Replier>(std::move(replier));
      bus.postBlocking([&bus, snapshots, work, inventory, reply, p = m.body["params"]] {
        auto done = ((*snapshots).*work)(p);
        if (!done) return (*reply)(done.error());
        replyInventory(bus, inventory, (*done)["uuid"], reply);
      });
    });
  };
  update("UpdateVolumeSnapshot", "VolumeSnapshot", &SnapshotService::update);
  update("UpdateVolumeSnapshotGroup", "VolumeSnapshotGroup", &SnapshotService::updateGroup);

  auto group = api("CreateVolumeSnapshotGroup", "VolumeSnapshotGroup");
  r.addApi(group);
  r.handle(group.messageType, [snapshots](Message m, Replier reply) {
    snapshots->createGroup(m.body["params"], accountOf(m), std::move(reply));
  });
  auto removeGroup = api("DeleteVolumeSnapshotGroup", "VolumeSnapshotGroup");
  r.addApi(removeGroup);
  r.handle(removeGroup.messageType, [snapshots](Message m, Replier reply) {
    snapshots->removeGroup(m.body["params"], std::move(reply));
  });

  auto fromSnapshot = api("CreateDataVolumeFromVolumeSnapshot", "Volume");
  r.addApi(fromSnapshot);
  r.handle(fromSnapshot.messageType, blockingHandler(bus, [volumes](const Message& m) {
             return volumes->createFromSnapshot(m.body["params"], accountOf(m));
           }));
}

}  // namespace strato::volume
