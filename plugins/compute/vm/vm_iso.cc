// ISO images in a VM's CD-ROM (3.1.16-19): AttachIsoToVmInstance, DetachIsoFromVmInstance and
// the candidate lists. The ISO a VM holds is ZStack's tag "iso::<uuid>" on the VM (one per VM);
// a running or paused guest gets it inserted or ejected by its driver, a stopped one at its next
// start (VmSpec.extra["iso"]).
#include "vm_async.h"
#include "vm_service.h"
#include "vm_settings.h"
#include "vm_steps.h"

namespace strato::vm {
namespace {

// ISOs a VM of `zone` can read: Enabled, Ready, with a ready copy on a backup storage of the zone.
constexpr const char* kUsableIsos =
    "SELECT i.uuid FROM image i WHERE i.mediaType = 'ISO' AND i.state = 'Enabled' AND i.status = "
    "'Ready' AND EXISTS (SELECT 1 FROM backup_storage_zone_ref z JOIN image_backup_storage_ref r "
    "ON r.backupStorageUuid = z.backupStorageUuid WHERE z.zoneUuid = ? AND r.imageUuid = i.uuid "
    "AND r.status = 'Ready')";

struct IsoContext {
  VmRecord vm;
  std::string iso;
};

}  // namespace

void VmService::attachIso(const Json& p, Replier reply) {
  auto s = shared_from_this();
  auto c = std::make_shared<IsoContext>();
  c->iso = textParam(p, "isoUuid");
  std::string vmUuid = textParam(p, "vmInstanceUuid");
  auto chain = FlowChain::create("attach-iso");
  addBegin(s, *chain, VmOp::kAttachDevice, vmUuid, VmPtr(c, &c->vm));
  auto inserted = std::make_shared<bool>(false);
  chain->then("check", onBlocking(bus_, [s, c, inserted]() -> Status {
                auto usable = s->db().query(std::string(kUsableIsos) + " AND i.uuid = ?",
                                            {c->vm.zoneUuid, c->iso});
                if (!usable) return usable.error();
                if (usable->rows.empty()) {
                  return conflict("image " + c->iso + " cannot go into the CD-ROM of VM " + c->vm.uuid,
                                  "it must be an Enabled, Ready ISO with a copy on a backup storage "
                                  "of zone " + c->vm.zoneUuid);
                }
                auto held = systemTagValue(s->db(), c->vm.uuid, kIsoTag);
                if (!held) return held.error();
                if (*held && **held != c->iso)
                  return conflict("VM " + c->vm.uuid + " holds ISO " + **held + "; detach it first");
                *inserted = *held && **held == c->iso;  // already in: nothing to do
                return {};
              }));
  // The tag first, so the spec the driver gets names the ISO; a refusal takes it away again.
  chain->then("record", onBlocking(bus_, [s, c, inserted]() -> Status {
                if (*inserted) return {};
                return setSystemTag(s->db(), c->vm.uuid, "VmInstanceVO", kIsoTag, c->iso);
              }),
              undoOnBlocking(bus_, [s, c] { (void)removeSystemTags(s->db(), c->vm.uuid, kIsoTag); }));
  chain->then("insert", onHost(s, VmPtr(c, &c->vm), [inserted](VmDriver& d, const VmSpec& vm) {
                return *inserted ? Status() : d.insertIso(vm);
              }));
  runAndRender(s, chain, vmUuid, "VmInstance", [vmUuid] { return vmUuid; }, std::move(reply));
}

void VmService::detachIso(const Json& p, Replier reply) {
  auto s = shared_from_this();
  auto c = std::make_shared<IsoContext>();
  std::string vmUuid = textParam(p, "vmInstanceUuid");
  auto chain = FlowChain::create("detach-iso");
  addBegin(s, *chain, VmOp::kDetachDevice, vmUuid, VmPtr(c, &c->vm));
  chain->then("check", onBlocking(bus_, [s, c, p]() -> Status {
                auto held = systemTagValue(s->db(), c->vm.uuid, kIsoTag);
                if (!held) return held.error();
                c->iso = held->value_or("");
                std::string named = textParam(p, "isoUuid");
                if (!named.empty() && named != c->iso)
                  return conflict("VM " + c->vm.uuid + " does not hold ISO " + named);
                return {};
              }));
  chain->then("eject", onHost(s, VmPtr(c, &c->vm), [c](VmDriver& d, const VmSpec& vm) {
                return c->iso.empty() ? Status() : d.ejectIso(vm);
              }));
  chain->then("forget", onBlocking(bus_, [s, c]() -> Status {
                return removeSystemTags(s->db(), c->vm.uuid, kIsoTag);
              }));
  runAndRender(s, chain, vmUuid, "VmInstance", [vmUuid] { return vmUuid; }, std::move(reply));
}

Reply VmService::isoCandidates(const Json& p) {
  auto vm = loadVm(db_, textParam(p, "vmInstanceUuid"));
  if (!vm) return vm.error();
  auto held = systemTagValue(db_, vm->uuid, kIsoTag);
  if (!held) return held.error();
  auto rows = db_.query(std::string(kUsableIsos) + " AND i.uuid <> ? ORDER BY i.createDate, i.uuid",
                        {vm->zoneUuid, held->value_or("")});
  if (!rows) return rows.error();
  Json uuids = Json::array();
  for (const auto& r : rows->rows) uuids.push_back(dbText(r[0]));
  return Json{{"uuids", uuids}};
}

// VMs of the caller (any for the admin) in a zone where the ISO has a copy, in a state that
// allows it, with an empty CD-ROM.
Reply VmService::vmsForIso(const Json& p, const std::string& account) {
  std::string iso = textParam(p, "isoUuid");
  const auto& states = transitionOf(VmOp::kAttachDevice).from;
  std::string sql =
      "SELECT vm.uuid FROM vm_instance vm WHERE vm.zoneUuid IN (SELECT z.zoneUuid FROM "
      "backup_storage_zone_ref z JOIN image_backup_storage_ref r ON r.backupStorageUuid = "
      "z.backupStorageUuid WHERE r.imageUuid = ? AND r.status = 'Ready') AND NOT EXISTS (SELECT 1 "
      "FROM system_tag t WHERE t.resourceUuid = vm.uuid AND t.tag LIKE 'iso::%') AND (EXISTS "
      "(SELECT 1 FROM account a WHERE a.uuid = ? AND a.type = 'SystemAdmin') OR vm.uuid IN "
      "(SELECT resourceUuid FROM account_resource_ref WHERE accountUuid = ?)) AND vm.state IN (" +
      sqlPlaceholders(states.size()) + ") ORDER BY vm.createDate, vm.uuid";
  std::vector<DbValue> binds{iso, account, account};
  binds.insert(binds.end(), states.begin(), states.end());
  auto rows = db_.query(sql, binds);
  if (!rows) return rows.error();
  Json uuids = Json::array();
  for (const auto& r : rows->rows) uuids.push_back(dbText(r[0]));
  return Json{{"uuids", uuids}};
}

}  // namespace strato::vm
