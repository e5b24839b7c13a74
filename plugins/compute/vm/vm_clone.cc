// CloneVmInstance (3.1.51): new VMs from a VM's root disk as it is now. The root volume is
// snapshotted (so a running VM can be cloned), the snapshot becomes a system root volume template
// on a backup storage of the zone (the clones' image, kept for their reimages), the snapshot
// goes, and each name becomes a VM with the source's offering and networks.
#include <strato/in_turn.h>

#include "vm_async.h"
#include "vm_service.h"

namespace strato::vm {
namespace {

struct Clone {
  VmRecord vm;
  std::string account, offering, description, snapshot, image;
  std::vector<std::string> l3s;  // the source's networks, default first
  std::string defaultL3;
  std::vector<std::string> names;
  std::string strategy;
  Json results = Json::array();
  int cloned = 0;
};
using Context = std::shared_ptr<Clone>;

Json ownership(const std::string& account, const std::string& uuid, const char* type) {
  return {{"accountUuid", account}, {"resources", Json::array({{{"uuid", uuid}, {"resourceType", type}}})}};
}

}  // namespace

void VmService::clone(const Json& p, const std::string& account, Replier replier) {
  auto s = shared_from_this();
  auto reply = share(std::move(replier));
  auto c = std::make_shared<Clone>();
  c->account = account;
  c->strategy = textParam(p, "strategy", "InstantStart") == "JustCreate" ? "CreateStopped" : "InstantStart";
  for (const auto& n : p.value("names", Json::array()))
    if (n.is_string()) c->names.push_back(n);
  if (c->names.empty()) return (*reply)(invalidArgument("names must name at least one new VM"));
  if (p.value("full", false)) {
    return (*reply)(makeError(ErrorCode::kNotSupported,
                              "full clones (with the data volumes) are not supported yet",
                              "clone without full; the clones get the root disk only"));
  }
  std::string vmUuid = textParam(p, "vmInstanceUuid");
  auto chain = FlowChain::create("clone");
  chain->then("source", onBlocking(bus_, [s, c, vmUuid]() -> Status {
                auto vm = loadVm(s->db(), vmUuid);
                if (!vm) return vm.error();
                c->vm = *vm;
                auto row = s->db().query(
                    "SELECT instanceOfferingUuid, description, defaultL3NetworkUuid FROM "
                    "vm_instance WHERE uuid = ?",
                    {vmUuid});
                if (!row) return row.error();
                c->offering = dbText(row->rows[0][0]);
                c->description = dbText(row->rows[0][1]);
                c->defaultL3 = dbText(row->rows[0][2]);
                auto nics = loadNics(s->db(), vmUuid);
                if (!nics) return nics.error();
                for (const auto& n : *nics) c->l3s.push_back(n.l3NetworkUuid);
                if (c->vm.rootVolumeUuid.empty()) return makeError(ErrorCode::kConflict, "VM " + vmUuid + " has no root volume");
                if (c->l3s.empty()) return makeError(ErrorCode::kConflict, "VM " + vmUuid + " has no network to clone");
                return {};
              }));
  chain->then(
      "snapshot",
      asking(bus_,
             [c] {
               return Message{"volume.CreateVolumeSnapshotQueued", c->vm.rootVolumeUuid,
                              {{"params", {{"volumeUuid", c->vm.rootVolumeUuid},
                                           {"name", "for-clone-of-" + c->vm.name}}}}};
             },
             [c](const Json& r) -> Status {
               c->snapshot = r["inventory"].value("uuid", "");
               return {};
             },
             std::chrono::minutes(30)),
      // No template came of it: the snapshot goes again.
      [s, c](FlowDone done) {
        requestInTurn(s->bus(),
                      {{"volume.DeleteVolumeSnapshotQueued", c->vm.rootVolumeUuid,
                        {{"params", {{"uuid", c->snapshot}}}}}},
                      [](const Error&) { return true; }, done);
      });
  chain->then("template",
              asking(bus_,
                     [c] {
                       return Message{"image.CreateRootVolumeTemplateFromVolumeSnapshot", "",
                                      {{"params", {{"snapshotUuid", c->snapshot},
                                                   {"name", "clone-of-" + c->vm.name},
                                                   {"platform", c->vm.platform},
                                                   {"system", true}}}}};
                     },
                     [c](const Json& r) -> Status {
                       c->image = r["inventory"].value("uuid", "");
                       return {};
                     },
                     std::chrono::hours(3)));
  // The template holds the bytes now; the snapshot goes whether the rest works or not.
  chain->then("drop-snapshot", [s, c](FlowDone done) {
    std::vector<Message> requests{{"volume.DeleteVolumeSnapshotQueued", c->vm.rootVolumeUuid,
                                   {{"params", {{"uuid", c->snapshot}}}}}};
    if (!c->account.empty())
      requests.push_back({std::string(kRecordOwnershipMessage), "", ownership(c->account, c->image, "ImageVO")});
    requestInTurn(s->bus(), std::move(requests),
                  [s, c](const Error& e) {
                    s->logger().warn("vm.clone.cleanup.failed uuid=" + c->vm.uuid + " error=" + e.describe());
                    return true;
                  },
                  done);
  });
  chain->then("clones", [s, c](FlowDone done) {
    auto next = std::make_shared<std::function<void(std::size_t)>>();
    *next = [s, c, done, weak = std::weak_ptr(next)](std::size_t i) {
      if (i == c->names.size()) return done(okStatus());
      Json params{{"name", c->names[i]},
                  {"description", c->description},
                  {"instanceOfferingUuid", c->offering},
                  {"imageUuid", c->image},
                  {"l3NetworkUuids", c->l3s},
                  {"defaultL3NetworkUuid", c->defaultL3},
                  {"clusterUuid", c->vm.clusterUuid},
                  {"strategy", c->strategy}};
      // Through the bus, as a CreateVmInstance of the caller's.
      Message create{"vm.CreateVmInstance", "",
                     {{"params", params}, {"session", {{"accountUuid", c->account}}}}};
      s->bus().request(std::move(create), [s, c, i, again = weak.lock()](Reply made) {
        // One clone that fails does not undo the others: each answers for itself.
        if (!made) {
          c->results.push_back({{"error", made.error().describe()}});
          return (*again)(i + 1);
        }
        c->results.push_back({{"inventory", (*made)["inventory"]}});
        ++c->cloned;
        if (c->account.empty()) return (*again)(i + 1);
        s->bus().request({std::string(kRecordOwnershipMessage), "",
                          ownership(c->account, (*made)["inventory"].value("uuid", ""), "VmInstanceVO")},
                         [again, i](Reply) { (*again)(i + 1); });
      }, std::chrono::minutes(30));
    };
    auto keep = next;
    (*keep)(0);
  });
  chain->start([s, c, chain, reply](FlowOutcome outcome) {
    if (!outcome.result) {
      s->logger().warn("vm.clone.failed uuid=" + c->vm.uuid + " step=" + outcome.failedStep +
                       " error=" + outcome.result.error().describe());
      return (*reply)(outcome.result.error());
    }
    (*reply)(Json{{"result", {{"numberOfClonedVm", c->cloned}, {"inventories", c->results}}}});
  });
}

}  // namespace strato::vm
