// NIC allocation, and AttachL3NetworkToVm, DetachL3NetworkFromVm, GetVmAttachableL3Network
// (3.1.21-23): the call is queued on the VM; a guest that runs gets the NIC hot-plugged.
#include "vm_nics.h"

#include <random>
#include <set>

#include "vm_async.h"
#include "vm_steps.h"

namespace strato::vm {
namespace {

std::string randomMac() {
  static thread_local std::mt19937_64 random{std::random_device{}()};
  std::uint64_t bits = random();
  char mac[18];
  // fa: is locally administered and unicast, the prefix ZStack uses.
  std::snprintf(mac, sizeof mac, "fa:%02x:%02x:%02x:%02x:%02x", unsigned(bits & 0xff),
                unsigned((bits >> 8) & 0xff), unsigned((bits >> 16) & 0xff),
                unsigned((bits >> 24) & 0xff), unsigned((bits >> 32) & 0xff));
  return mac;
}

// The NIC's row once its IP is taken; a random MAC that another NIC has is drawn again.
Status insertNic(Database& db, const NicRequest& r, const std::string& nic, const Json& usedIp) {
  for (int attempt = 0; attempt < 8; ++attempt) {
    std::string mac = r.customMac.empty() ? randomMac() : r.customMac;
    auto now = nowMillis();
    auto inserted = db.execute(
        "INSERT INTO vm_nic (uuid, vmInstanceUuid, l3NetworkUuid, usedIpUuid, ip, mac, netmask, "
        "gateway, ipVersion, deviceId, type, internalName, createDate, lastOpDate) VALUES (?, ?, "
        "?, ?, ?, ?, ?, ?, ?, ?, 'VNIC', ?, ?, ?)",
        {nic, r.vmUuid, r.l3NetworkUuid, usedIp.value("uuid", ""), usedIp.value("ip", ""), mac,
         usedIp.value("netmask", ""), usedIp.value("gateway", ""),
         usedIp.value("ipVersion", std::int64_t{4}), static_cast<std::int64_t>(r.deviceId),
         "vnic" + r.vmUuid.substr(0, 8) + "." + std::to_string(r.deviceId), now, now});
    if (inserted) return {};
    auto taken = db.query("SELECT 1 FROM vm_nic WHERE mac = ?", {mac});
    if (!taken || taken->rows.empty()) return inserted.error();
    if (!r.customMac.empty())
      return conflict("MAC " + mac + " is taken by another NIC",
                      "system tag customMac::" + r.l3NetworkUuid);
  }
  return conflict("no free MAC address found after 8 draws");
}

struct NicContext {
  VmRecord vm;
  NicRecord nic;
  std::string account;  // the VM's owner, who owns its NICs too
};
using Context = std::shared_ptr<NicContext>;

VmPtr vmOf(const Context& c) { return VmPtr(c, &c->vm); }

Result<VmNicSpec> nicIn(const VmSpec& vm, const std::string& uuid) {
  for (const auto& n : vm.nics)
    if (n.uuid == uuid) return n;
  return conflict("NIC " + uuid + " is not a NIC of VM " + vm.uuid);
}

// The L3 networks of the VM's cluster that it has no NIC on: Enabled, on an L2 network attached
// to the cluster, and the owner's, shared with it, public, or any when the owner is the admin.
constexpr const char* kAttachableL3s =
    "SELECT l3.uuid FROM l3_network l3 JOIN l2_network_cluster_ref c ON c.l2NetworkUuid = "
    "l3.l2NetworkUuid WHERE c.clusterUuid = ? AND l3.state = 'Enabled' AND l3.uuid NOT IN (SELECT "
    "l3NetworkUuid FROM vm_nic WHERE vmInstanceUuid = ?) AND (EXISTS (SELECT 1 FROM account a "
    "WHERE a.uuid = ? AND a.type = 'SystemAdmin') OR l3.uuid IN (SELECT resourceUuid FROM "
    "account_resource_ref WHERE accountUuid = ?) OR l3.uuid IN (SELECT resourceUuid FROM "
    "shared_resource WHERE toPublic = 1 OR receiverAccountUuid = ?))";

std::string ownerOf(Database& db, const std::string& uuid) {
  auto rows = db.query("SELECT accountUuid FROM account_resource_ref WHERE resourceUuid = ?", {uuid});
  return rows && !rows->rows.empty() ? dbText(rows->rows[0][0]) : std::string();
}

}  // namespace

void allocateNic(const std::shared_ptr<VmService>& s, NicRequest r,
                 std::function<void(Result<NicRecord>)> done) {
  std::string nic = newUuid();
  Json body{{"l3NetworkUuid", r.l3NetworkUuid}, {"owner", {{"usedFor", "Vm"}, {"vmNicUuid", nic}}}};
  if (!r.staticIp.empty()) body["requiredIp"] = r.staticIp;
  s->bus().request({"l3.AllocateIp", "", body}, [s, r, nic, done](Reply taken) {
    if (!taken) return done(taken.error());
    Json usedIp = (*taken)["inventory"];
    s->bus().postBlocking([s, r, nic, usedIp, done] {
      std::string usedIpUuid = usedIp.value("uuid", "");
      if (auto ok = insertNic(s->db(), r, nic, usedIp); !ok) {
        s->bus().request(releaseIpMessage(usedIpUuid), [](Reply) {});
        return done(ok.error());
      }
      done(NicRecord{nic, r.l3NetworkUuid, usedIpUuid});
    });
  });
}

void VmService::attachL3(const Json& p, Replier reply) {
  auto s = shared_from_this();
  auto c = std::make_shared<NicContext>();
  std::string vmUuid = textParam(p, "vmInstanceUuid");
  std::string l3 = textParam(p, "l3NetworkUuid");
  auto chain = FlowChain::create("attach-l3");
  addBegin(s, *chain, VmOp::kAttachDevice, vmUuid, vmOf(c));
  auto request = std::make_shared<NicRequest>(NicRequest{vmUuid, l3, 0, textParam(p, "staticIp"), ""});
  chain->then("check", onBlocking(bus_, [s, c, request]() -> Status {
                if (c->vm.clusterUuid.empty())
                  return conflict("VM " + c->vm.uuid + " has no cluster yet; start it first");
                const std::string& owner = c->account = ownerOf(s->db(), c->vm.uuid);
                auto ok = s->db().query(std::string(kAttachableL3s) + " AND l3.uuid = ?",
                                        {c->vm.clusterUuid, c->vm.uuid, owner, owner, owner,
                                         request->l3NetworkUuid});
                if (!ok) return ok.error();
                if (ok->rows.empty()) {
                  return conflict("L3 network " + request->l3NetworkUuid + " cannot be attached to VM " +
                                      c->vm.uuid,
                                  "it must be Enabled, reach the VM's cluster " + c->vm.clusterUuid +
                                      ", be usable by the VM's owner and not be on the VM yet");
                }
                auto devices = s->db().query("SELECT deviceId FROM vm_nic WHERE vmInstanceUuid = ?",
                                             {c->vm.uuid});
                if (!devices) return devices.error();
                std::set<std::int64_t> used;
                for (const auto& r : devices->rows) used.insert(dbInt(r[0]));
                while (used.count(request->deviceId)) ++request->deviceId;
                return {};
              }));
  chain->then(
      "nic",
      [s, c, request](FlowDone done) {
        allocateNic(s, *request, [c, done](Result<NicRecord> nic) {
          if (!nic) return done(nic.error());
          c->nic = *nic;
          done(okStatus());
        });
      },
      [s, c](FlowDone done) {
        s->bus().postBlocking([s, c, done] {
          (void)s->db().execute("DELETE FROM vm_nic WHERE uuid = ?", {c->nic.uuid});
          requestInTurn(s->bus(), {releaseIpMessage(c->nic.usedIpUuid)},
                        [](const Error&) { return true; }, done);
        });
      });
  chain->then("plug-in", onHost(s, vmOf(c), [c](VmDriver& d, const VmSpec& vm) -> Status {
                auto nic = nicIn(vm, c->nic.uuid);
                if (!nic) return nic.error();
                return d.attachNic(vm, *nic);
              }));
  chain->then("finish", onBlocking(bus_, [s, c]() -> Status {
                // A VM left without networks takes its first new one as the default.
                auto set = s->db().execute(
                    "UPDATE vm_instance SET defaultL3NetworkUuid = ? WHERE uuid = ? AND "
                    "defaultL3NetworkUuid IS NULL",
                    {c->nic.l3NetworkUuid, c->vm.uuid});
                if (!set) return set.error();
                return {};
              }));
  chain->then("owner", [s, c](FlowDone done) {
    if (c->account.empty()) return done(okStatus());
    Json owned = Json::array({{{"uuid", c->nic.uuid}, {"resourceType", "VmNicVO"}}});
    s->bus().request({std::string(kRecordOwnershipMessage), "",
                      {{"accountUuid", c->account}, {"resources", owned}}},
                     [done](Reply recorded) { done(recorded ? okStatus() : Status(recorded.error())); });
  });
  runAndRender(s, chain, vmUuid, "VmInstance", [vmUuid] { return vmUuid; }, std::move(reply));
}

// The guest lets go of the NIC first; then the row, the address and the owner record go. The
// default network moves to the VM's next NIC, if any.
void VmService::detachNic(const Json& p, Replier reply) {
  auto s = shared_from_this();
  auto c = std::make_shared<NicContext>();
  c->nic.uuid = textParam(p, "vmNicUuid");
  std::string vmUuid = textParam(p, "vmInstanceUuid");
  auto chain = FlowChain::create("detach-l3");
  addBegin(s, *chain, VmOp::kDetachDevice, vmUuid, vmOf(c));
  chain->then("unplug", onHost(s, vmOf(c), [c](VmDriver& d, const VmSpec& vm) -> Status {
                auto nic = nicIn(vm, c->nic.uuid);
                if (!nic) return nic.error();
                return d.detachNic(vm, *nic);
              }));
  chain->then("remove", onBlocking(bus_, [s, c]() -> Status {
                auto rows = s->db().query(
                    "SELECT l3NetworkUuid, usedIpUuid FROM vm_nic WHERE uuid = ? AND "
                    "vmInstanceUuid = ?",
                    {c->nic.uuid, c->vm.uuid});
                if (!rows) return rows.error();
                if (rows->rows.empty())
                  return conflict("NIC " + c->nic.uuid + " is not a NIC of VM " + c->vm.uuid);
                c->nic.l3NetworkUuid = dbText(rows->rows[0][0]);
                c->nic.usedIpUuid = dbText(rows->rows[0][1]);
                auto gone = s->db().execute("DELETE FROM vm_nic WHERE uuid = ?", {c->nic.uuid});
                if (!gone) return gone.error();
                auto next = s->db().execute(
                    "UPDATE vm_instance SET defaultL3NetworkUuid = (SELECT l3NetworkUuid FROM "
                    "vm_nic WHERE vmInstanceUuid = ? ORDER BY deviceId LIMIT 1) WHERE uuid = ? AND "
                    "defaultL3NetworkUuid = ?",
                    {c->vm.uuid, c->vm.uuid, c->nic.l3NetworkUuid});
                if (!next) return next.error();
                return {};
              }));
  // The NIC is gone; an address or owner record left behind is logged, not a failed detach.
  chain->then("release", [s, c](FlowDone done) {
    requestInTurn(s->bus(),
                  {releaseIpMessage(c->nic.usedIpUuid),
                   {std::string(kForgetResourcesMessage), "", {{"uuids", {c->nic.uuid}}}}},
                  [s, c](const Error& e) {
                    s->logger().warn("vm.detach-l3.cleanup.failed nic=" + c->nic.uuid +
                                     " error=" + e.describe());
                    return true;
                  },
                  done);
  });
  runAndRender(s, chain, vmUuid, "VmInstance", [vmUuid] { return vmUuid; }, std::move(reply));
}

Reply VmService::attachableL3s(const Json& p) {
  // The manual spells the path parameter vmlInstanceUuid; ZStack's SDK vmInstanceUuid.
  std::string uuid = textParam(p, "vmInstanceUuid", textParam(p, "vmlInstanceUuid"));
  auto vm = loadVmFor(db_, VmOp::kAttachDevice, uuid);
  if (!vm) return vm.error();
  Json uuids = Json::array();
  if (vm->clusterUuid.empty()) return Json{{"uuids", uuids}};
  std::string owner = ownerOf(db_, vm->uuid);
  auto rows = db_.query(std::string(kAttachableL3s) + " ORDER BY l3.createDate, l3.uuid",
                        {vm->clusterUuid, vm->uuid, owner, owner, owner});
  if (!rows) return rows.error();
  for (const auto& r : rows->rows) uuids.push_back(dbText(r[0]));
  return Json{{"uuids", uuids}};
}

}  // namespace strato::vm
