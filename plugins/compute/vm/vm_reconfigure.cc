// ReimageVmInstance (3.1.11), ChangeVmImage and its candidates (3.1.61-62),
// ChangeInstanceOffering (3.5.4) and GetVmStartingCandidateClustersHosts (3.1.46): a stopped
// VM gets a new root volume or new CPU and memory; where it could start.
#include <set>

#include "vm_allocator.h"
#include "vm_async.h"
#include "vm_service.h"
#include "vm_steps.h"

namespace strato::vm {
namespace {

// Root volume templates a VM of `zone` can boot from: Enabled, Ready, with a ready copy on a
// backup storage of the zone.
constexpr const char* kBootableImages =
    "SELECT i.uuid FROM image i WHERE i.mediaType = 'RootVolumeTemplate' AND i.state = 'Enabled' "
    "AND i.status = 'Ready' AND EXISTS (SELECT 1 FROM backup_storage_zone_ref z JOIN "
    "image_backup_storage_ref r ON r.backupStorageUuid = z.backupStorageUuid WHERE z.zoneUuid = ? "
    "AND r.imageUuid = i.uuid AND r.status = 'Ready')";

struct Reimage {
  VmRecord vm;
  std::string image, platform, account;
  std::string oldRoot, newRoot;
  std::int64_t rootSize = 0;
};

}  // namespace

// The old root volume goes (with its snapshots) only once the new one is the VM's.
void VmService::reimage(const Json& p, Replier reply) {
  auto s = shared_from_this();
  auto c = std::make_shared<Reimage>();
  std::string vmUuid = textParam(p, "vmInstanceUuid");
  auto chain = FlowChain::create(p.contains("imageUuid") ? "change-image" : "reimage");
  addBegin(s, *chain, VmOp::kReimage, vmUuid, VmPtr(c, &c->vm));
  chain->then("image", onBlocking(bus_, [s, c, p]() -> Status {
                c->image = textParam(p, "imageUuid", c->vm.imageUuid);
                if (c->image.empty()) return conflict("VM " + c->vm.uuid + " was not made from an image");
                auto fits = s->db().query(std::string(kBootableImages) + " AND i.uuid = ?",
                                          {c->vm.zoneUuid, c->image});
                if (!fits) return fits.error();
                if (fits->rows.empty()) {
                  return conflict("image " + c->image + " cannot be the root of VM " + c->vm.uuid,
                                  "it must be an Enabled, Ready root volume template with a copy "
                                  "on a backup storage of zone " + c->vm.zoneUuid);
                }
                auto platform = s->db().query("SELECT platform FROM image WHERE uuid = ?", {c->image});
                if (!platform) return platform.error();
                c->platform = dbText(platform->rows[0][0]);
                auto root = s->db().query("SELECT size FROM volume WHERE uuid = ?", {c->vm.rootVolumeUuid});
                if (!root) return root.error();
                c->oldRoot = c->vm.rootVolumeUuid;
                if (!root->rows.empty()) c->rootSize = dbInt(root->rows[0][0]);
                auto owner = s->db().query(
                    "SELECT accountUuid FROM account_resource_ref WHERE resourceUuid = ?", {c->vm.uuid});
                if (!owner) return owner.error();
                if (!owner->rows.empty()) c->account = dbText(owner->rows[0][0]);
                return {};
              }));
  chain->then(
      "new-root",
      [s, c, p](FlowDone done) {
        // As large as the old one at least: a reimage does not shrink the disk the user paid for.
        Json body{{"vmInstanceUuid", c->vm.uuid}, {"type", "Root"}, {"deviceId", 0},
                  {"name", "ROOT-for-" + c->vm.name}, {"imageUuid", c->image},
                  {"size", c->rootSize}};
        if (p.contains("resourceUuid")) body["resourceUuid"] = textParam(p, "resourceUuid");
        createVolume(s, body, c->vm.clusterUuid, c->rootSize, "", [c, done](Result<std::string> v) {
          if (!v) return done(v.error());
          c->newRoot = *v;
          done(okStatus());
        });
      },
      [s, c](FlowDone done) {
        requestInTurn(s->bus(), {{std::string(kExpungeVmVolumeMessage), "", {{"uuid", c->newRoot}}}},
                      [](const Error&) { return true; }, done);
      });
  chain->then("swap", onBlocking(bus_, [s, c]() -> Status {
                return saveState(s->db(), s->bus(), c->vm, c->vm.state,
                                 {{"rootVolumeUuid", c->newRoot},
                                  {"imageUuid", c->image},
                                  {"platform", c->platform}});
              }));
  // The VM is whole on its new root from here: what fails below is logged, not undone.
  chain->then("old-root", [s, c](FlowDone done) {
    std::vector<Message> requests;
    if (!c->account.empty()) {
      requests.push_back({std::string(kRecordOwnershipMessage), "",
                          {{"accountUuid", c->account},
                           {"resources", Json::array({{{"uuid", c->newRoot}, {"resourceType", "VolumeVO"}}})}}});
    }
    if (!c->oldRoot.empty())
      requests.push_back({std::string(kExpungeVmVolumeMessage), "", {{"uuid", c->oldRoot}}});
    requestInTurn(s->bus(), std::move(requests),
                  [s, c](const Error& e) {
                    s->logger().warn("vm.reimage.cleanup.failed uuid=" + c->vm.uuid +
                                     " oldRoot=" + c->oldRoot + " error=" + e.describe());
                    return true;
                  },
                  done);
  });
  runAndRender(s, chain, vmUuid, "VmInstance", [vmUuid] { return vmUuid; }, std::move(reply));
}

Reply VmService::imageCandidates(const Json& p) {
  auto vm = loadVm(db_, textParam(p, "vmInstanceUuid"));
  if (!vm) return vm.error();
  auto rows = db_.query(std::string(kBootableImages) + " AND i.uuid <> ? ORDER BY i.createDate, i.uuid",
                        {vm->zoneUuid, vm->imageUuid});
  if (!rows) return rows.error();
  Json uuids = Json::array();
  for (const auto& r : rows->rows) uuids.push_back(dbText(r[0]));
  return Json{{"uuids", uuids}};
}

// What a stopped VM's host reserves at its next start; a running one would need CPU and memory
// hot-plug, which no driver offers yet.
Reply VmService::changeOffering(const Json& p) {
  auto vm = loadVmFor(db_, VmOp::kChangeSpec, textParam(p, "vmInstanceUuid"));
  if (!vm) return vm.error();
  std::string offering = textParam(p, "instanceOfferingUuid");
  auto rows = db_.query(
      "SELECT cpuNum, cpuSpeed, memorySize, allocatorStrategy, state FROM instance_offering WHERE "
      "uuid = ?",
      {offering});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return invalidArgument("instanceOfferingUuid names no instance offering", offering);
  const auto& r = rows->rows[0];
  if (dbText(r[4]) != "Enabled") return conflict("instance offering " + offering + " is disabled");
  if (auto saved = saveState(db_, bus_, *vm, vm->state,
                             {{"instanceOfferingUuid", offering},
                              {"cpuNum", dbInt(r[0])},
                              {"cpuSpeed", dbInt(r[1])},
                              {"memorySize", dbInt(r[2])},
                              {"allocatorStrategy", dbText(r[3])}});
      !saved)
    return saved.error();
  return Json::object();
}

Reply VmService::startingCandidates(const Json& p) {
  auto vm = loadVmFor(db_, VmOp::kStart, textParam(p, "uuid"));
  if (!vm) return vm.error();
  auto r = hostRequestFor(db_, *vm);
  if (!r) return r.error();
  r->hypervisorTypes = vm->hypervisorType.empty() ? vmHypervisorTypes(extensions_)
                                                  : std::vector<std::string>{vm->hypervisorType};
  auto hosts = candidateHosts(db_, *r);
  Json hostUuids = Json::array(), clusterUuids = Json::array();
  if (!hosts) {
    if (hosts.error().code != ErrorCode::kConflict) return hosts.error();
    return Json{{"hosts", hostUuids}, {"clusters", clusterUuids}};
  }
  std::set<std::string> clusters;
  for (const auto& h : *hosts) {
    hostUuids.push_back(h.uuid);
    if (clusters.insert(h.clusterUuid).second) clusterUuids.push_back(h.clusterUuid);
  }
  return Json{{"hosts", hostUuids}, {"clusters", clusterUuids}};
}

}  // namespace strato::vm
