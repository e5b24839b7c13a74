// VMs (section 3.1 of the ZStack manual): the state machine, CreateVmInstance with rollback, the
// power operations, migration, destroy / recover / expunge by vm.deletionPolicy, UpdateVmInstance
// and the queries of VMs and NICs. The other APIs of 3.1 are not declared yet: the kernel answers
// them "not implemented" (SYS.1010).
#include <array>

#include <strato/deletion_policy.h>
#include <strato/host_events.h>
#include <strato/sdk.h>

#include "vm_affinity.h"
#include "vm_async.h"
#include "vm_cascade.h"
#include "vm_evacuation.h"
#include "vm_schema.h"
#include "vm_service.h"
#include "vm_settings.h"

namespace {

using strato::ApiDeclaration;
using strato::Json;
using strato::Message;
using strato::Replier;
using strato::Reply;
using strato::vm::VmOp;
using strato::vm::VmService;
using Service = std::shared_ptr<VmService>;

// A catalog API by name; the kernel fills method, path and parameters from the catalog.
ApiDeclaration vmApi(const std::string& name, bool returnsVm) {
  ApiDeclaration decl;
  decl.name = name;
  decl.messageType = "vm." + name;
  if (returnsVm) decl.inventory = "VmInstance";
  return decl;
}

// vm.totalNum counts every VM not expunged; vm.num, vm.cpuNum and vm.memorySize the VMs that hold
// a host (as ZStack counts running VMs).
class VmQuota : public strato::QuotaReporter {
 public:
  explicit VmQuota(strato::Database& db) : db_(db) {}
  std::vector<strato::QuotaDefinition> definitions() const override {
    return {{"vm.totalNum", 20}, {"vm.num", 20}, {"vm.cpuNum", 80}, {"vm.memorySize", 80LL << 30}};
  }
  strato::Result<std::map<std::string, std::int64_t>> usage(std::string_view account) override {
    auto rows = db_.query(
        "SELECT COUNT(*), SUM(CASE WHEN v.hostUuid IS NULL THEN 0 ELSE 1 END), SUM(CASE WHEN "
        "v.hostUuid IS NULL THEN 0 ELSE v.cpuNum END), SUM(CASE WHEN v.hostUuid IS NULL THEN 0 "
        "ELSE v.memorySize END) FROM vm_instance v JOIN account_resource_ref r ON r.resourceUuid = "
        "v.uuid WHERE r.accountUuid = ?",
        {std::string(account)});
    if (!rows) return rows.error();
    // SUM over no rows is NULL, which dbInt reads as 0.
    const auto& r = rows->rows.at(0);
    return std::map<std::string, std::int64_t>{{"vm.totalNum", strato::dbInt(r[0])},
                                               {"vm.num", strato::dbInt(r[1])},
                                               {"vm.cpuNum", strato::dbInt(r[2])},
                                               {"vm.memorySize", strato::dbInt(r[3])}};
  }

 private:
  strato::Database& db_;
};

std::string accountOf(const Message& m) {
  const Json& session = m.body["session"];
  return session.is_object() ? session.value("accountUuid", "") : std::string();
}

void addApis(strato::Registrar& r, const Service& service) {
  auto& bus = r.bus();
  for (const char* name : {"QueryVmInstance", "QueryVmNic"}) {
    ApiDeclaration query;
    query.name = name;
    query.inventory = std::string(name) == "QueryVmNic" ? "VmNic" : "VmInstance";
    if (query.inventory == "VmInstance") query.extraPaths = {"/zstack/v1/vm-instances/{uuid}"};
    r.addApi(query);
  }
  auto serve = [&](ApiDeclaration decl, std::function<void(const Json&, Replier)> work) {
    r.addApi(decl);
    r.handle(decl.messageType,
             [work](Message m, Replier reply) { work(m.body["params"], std::move(reply)); });
  };
  auto create = vmApi("CreateVmInstance", true);
  r.addApi(create);
  r.handle(create.messageType, [service](Message m, Replier reply) {
    service->create(m.body["params"], accountOf(m), std::move(reply));
  });
  for (auto [name, op] : {std::pair{"StartVmInstance", VmOp::kStart},
                          {"StopVmInstance", VmOp::kStop},
                          {"RebootVmInstance", VmOp::kReboot},
                          {"PauseVmInstance", VmOp::kPause},
                          {"ResumeVmInstance", VmOp::kResume}}) {
    serve(vmApi(name, true),
          [service, op = op](const Json& p, Replier reply) { service->operate(op, p, std::move(reply)); });
  }
  serve(vmApi("DestroyVmInstance", false),
        [service](const Json& p, Replier reply) { service->destroy(p, std::move(reply)); });
  serve(vmApi("RecoverVmInstance", true),
        [service](const Json& p, Replier reply) { service->recover(p, std::move(reply)); });
  serve(vmApi("ExpungeVmInstance", false),
        [service](const Json& p, Replier reply) { service->expunge(p, std::move(reply)); });
  r.handle("vm.ExpungeDue",
           [service](Message m, Replier reply) { service->expunge(m.body, std::move(reply)); });
  // Hosts' reports of their guests (vm_tracking.cc).
  r.handle(std::string(strato::kVmStatesReportedMessage),
           strato::blockingHandler(bus, [service](const Message& m) {
             return service->statesReported(m.body);
           }));
  r.handle("vm.CheckGuest",
           [service](Message m, Replier reply) { service->checkGuest(m.body, std::move(reply)); });
  // Hosts lost and back (vm_ha.cc).
  r.handle("vm.HostLost",
           [service](Message m, Replier reply) { service->hostLost(m.body, std::move(reply)); });
  r.handle("vm.HostDown",
           [service](Message m, Replier reply) { service->hostDown(m.body, std::move(reply)); });
  r.subscribe(std::string(strato::kHostStatusChangedEvent), [service, &bus](const Message& e) {
    std::string host = e.body.value("uuid", ""), status = e.body.value("newStatus", "");
    if (status != "Disconnected" && status != "Connected") return;
    bus.postBlocking([service, host, status] { service->hostStatusChanged(host, status); });
  });

  // MigrateVm names its VM by vmInstanceUuid: queue it on the VM like the others.
  auto migrate = vmApi("MigrateVm", true);
  r.addApi(migrate);
  r.handle(migrate.messageType, strato::forwardToQueue(bus, "vmInstanceUuid", "vm.MigrateVmQueued"));
  r.handle("vm.MigrateVmQueued", [service](Message m, Replier reply) {
    service->migrate(m.body["params"], std::move(reply));
  });

  // Blocking work on the blocking pool; those that change the VM answer with it rendered.
  auto blocking = [&](const char* name, bool returnsVm, std::function<Reply(const Json&)> work) {
    serve(vmApi(name, returnsVm), [service, &bus, returnsVm, work](const Json& p, Replier replier) {
      auto reply = strato::share(std::move(replier));
      bus.postBlocking([service, p, reply, returnsVm, work] {
        auto done = work(p);
        if (!done || !returnsVm) return (*reply)(std::move(done));
        strato::replyInventory(service->bus(), "VmInstance", (*done)["uuid"], reply);
      });
    });
  };
  blocking("UpdateVmInstance", true, [service](const Json& p) { return service->update(p); });
  for (const auto& api : strato::vm::settingApis()) {
    blocking(api.name, api.returnsVm, [service, run = api.run](const Json& p) { return run(*service, p); });
  }

  // Candidate lists: the service names them, the query engine renders them.
  using Lists = strato::Result<std::vector<strato::RenderedList>>;
  auto lists = [&](const char* name, std::function<Lists(const Message&)> find) {
    auto decl = vmApi(name, false);
    r.addApi(decl);
    r.handle(decl.messageType, strato::replyingRendered(bus, std::move(find)));
  };
  for (auto [name, inventory, find] :
       {std::tuple{"GetVmMigrationCandidateHosts", "Host", &VmService::migrationCandidates},
        std::tuple{"GetVmAttachableDataVolume", "Volume", &VmService::attachableVolumes},
        std::tuple{"GetDataVolumeAttachableVm", "VmInstance", &VmService::attachableVms},
        std::tuple{"GetVmAttachableL3Network", "L3Network", &VmService::attachableL3s},
        std::tuple{"GetImageCandidatesForVmToChange", "Image", &VmService::imageCandidates},
        std::tuple{"GetCandidateIsoForAttachingVm", "Image", &VmService::isoCandidates}}) {
    lists(name, [service, inventory = inventory, find = find](const Message& m) {
      return strato::inventoriesOf(inventory, ((*service).*find)(m.body["params"]));
    });
  }
  lists("GetInterdependentL3NetworksImages", [service](const Message& m) {
    auto found = service->interdependents(m.body["params"]);
    return strato::inventoriesOf(found ? (*found)["inventory"].get<std::string>() : "", found);
  });
  // Whose VMs: the caller's.
  lists("GetCandidateVmForAttachingIso", [service](const Message& m) {
    return strato::inventoriesOf("VmInstance", service->vmsForIso(m.body["params"], accountOf(m)));
  });
  // Where a new VM and its volumes could go, and where a stopped VM could start: the reply's
  // lists, each {key, the service's field, inventory}.
  using Fields = std::vector<std::array<const char*, 3>>;
  for (auto [name, find, fields] :
       {std::tuple{"GetCandidateZonesClustersHostsForCreatingVm", &VmService::creationCandidates,
                   Fields{{"zones", "zones", "Zone"}, {"clusters", "clusters", "Cluster"},
                          {"hosts", "hosts", "Host"}}},
        std::tuple{"GetCandidatePrimaryStoragesForCreatingVm", &VmService::creationCandidates,
                   Fields{{"rootVolumePrimaryStorages", "rootStorages", "PrimaryStorage"},
                          {"dataVolumePrimaryStorages", "dataStorages", "PrimaryStorage"}}},
        std::tuple{"GetVmStartingCandidateClustersHosts", &VmService::startingCandidates,
                   Fields{{"hostInventories", "hosts", "Host"},
                          {"clusterInventories", "clusters", "Cluster"}}}}) {
    lists(name, [service, find = find, fields = fields](const Message& m) -> Lists {
      auto found = ((*service).*find)(m.body["params"]);
      if (!found) return found.error();
      std::vector<strato::RenderedList> out;
      for (const auto& [key, field, inventory] : fields)
        out.push_back({key, inventory, (*found)[field].get<std::vector<std::string>>()});
      return out;
    });
  }

  // Device calls run in the VM's queue. Those whose path names only the volume or the NIC find
  // the VM first.
  auto queued = [&](const char* name, const char* inner,
                    std::function<void(VmService&, const Json&, Replier)> work,
                    std::vector<strato::ApiParam> params = {}) {
    r.handle(inner, [service, work](Message m, Replier reply) {
      work(*service, m.body["params"], std::move(reply));
    });
    auto decl = vmApi(name, false);
    decl.params = std::move(params);  // empty: the catalog's
    r.addApi(decl);
    return decl.messageType;
  };
  r.handle(queued("AttachDataVolumeToVm", "vm.AttachDataVolumeQueued", &VmService::attachVolume),
           strato::forwardToQueue(bus, "vmInstanceUuid", "vm.AttachDataVolumeQueued"));
  r.handle(queued("AttachL3NetworkToVm", "vm.AttachL3NetworkQueued", &VmService::attachL3),
           strato::forwardToQueue(bus, "vmInstanceUuid", "vm.AttachL3NetworkQueued"));
  // Queued on the source VM: a clone sees its disk as no other call on it changes it.
  auto clone = vmApi("CloneVmInstance", false);
  r.addApi(clone);
  r.handle(clone.messageType, strato::forwardToQueue(bus, "vmInstanceUuid", "vm.CloneVmInstanceQueued"));
  r.handle("vm.CloneVmInstanceQueued", [service](Message m, Replier reply) {
    service->clone(m.body["params"], accountOf(m), std::move(reply));
  });
  r.handle(queued("AttachIsoToVmInstance", "vm.AttachIsoQueued", &VmService::attachIso),
           strato::forwardToQueue(bus, "vmInstanceUuid", "vm.AttachIsoQueued"));
  r.handle(queued("DetachIsoFromVmInstance", "vm.DetachIsoQueued", &VmService::detachIso),
           strato::forwardToQueue(bus, "vmInstanceUuid", "vm.DetachIsoQueued"));
  for (const char* name : {"ReimageVmInstance", "ChangeVmImage"}) {
    std::string inner = std::string("vm.") + name + "Queued";
    r.handle(queued(name, inner.c_str(), &VmService::reimage),
             strato::forwardToQueue(bus, "vmInstanceUuid", inner));
  }
  r.handle(queued("ChangeInstanceOffering", "vm.ChangeInstanceOfferingQueued",
                  [&bus](VmService& s, const Json& p, Replier replier) {
                    auto reply = strato::share(std::move(replier));
                    bus.postBlocking([&s, p, reply] { (*reply)(s.changeOffering(p)); });
                  }),
           strato::forwardToQueue(bus, "vmInstanceUuid", "vm.ChangeInstanceOfferingQueued"));
  r.handle(queued("SetVmStaticIp", "vm.SetVmStaticIpQueued",
                  [](VmService& s, const Json& p, Replier reply) {
                    strato::vm::setStaticIp(s.shared_from_this(), p, std::move(reply));
                  }),
           strato::forwardToQueue(bus, "vmInstanceUuid", "vm.SetVmStaticIpQueued"));
  auto onItsVm = [&bus](std::string inner, std::function<strato::Result<std::string>(const Json&)> vmOf) {
    return [&bus, inner, vmOf](Message m, Replier replier) {
      auto reply = strato::share(std::move(replier));
      bus.postBlocking([&bus, inner, vmOf, reply, params = m.body["params"]]() mutable {
        auto vm = vmOf(params);
        if (!vm) return (*reply)(vm.error());
        params["vmInstanceUuid"] = *vm;
        bus.request({inner, *vm, {{"params", params}}}, [reply](Reply done) { (*reply)(std::move(done)); });
      });
    };
  };
  auto& db = r.database();
  r.handle(queued("DetachDataVolumeFromVm", "vm.DetachDataVolumeQueued", &VmService::detachVolume),
           onItsVm("vm.DetachDataVolumeQueued", [&db](const Json& p) {
             return strato::vm::volumeVmToDetach(db, strato::textParam(p, "uuid"),
                                                 strato::textParam(p, "vmUuid"));
           }));
  auto nicVm = [&db](const Json& p) -> strato::Result<std::string> {
    std::string nic = strato::textParam(p, "vmNicUuid");
    auto rows = db.query("SELECT vmInstanceUuid FROM vm_nic WHERE uuid = ?", {nic});
    if (!rows) return rows.error();
    if (rows->rows.empty()) return strato::invalidArgument("vmNicUuid names no NIC", nic);
    return strato::dbText(rows->rows[0][0]);
  };
  r.handle(queued("DetachL3NetworkFromVm", "vm.DetachL3NetworkQueued", &VmService::detachNic),
           onItsVm("vm.DetachL3NetworkQueued", nicVm));
  r.handle(queued("UpdateVmNicMac", "vm.UpdateVmNicMacQueued",
                  [&bus](VmService& s, const Json& p, Replier replier) {
                    auto reply = strato::share(std::move(replier));
                    bus.postBlocking([&s, p, reply] { (*reply)(strato::vm::updateNicMac(s, p)); });
                  }),
           onItsVm("vm.UpdateVmNicMacQueued", nicVm));
  // NIC QoS names the NIC by uuid; it runs in the NIC's VM's queue.
  auto nicByUuid = [nicVm](const Json& p) {
    Json named = p;
    named["vmNicUuid"] = strato::textParam(p, "uuid");
    return nicVm(named);
  };
  // The catalog reads DeleteNicQoS's directions "in" and "out" as one value "inout".
  using strato::ParamType;
  std::vector<strato::ApiParam> deleteParams{{"uuid", ParamType::kString, true},
                                             {"direction", ParamType::kString, true, {"in", "out"}},
                                             {"systemTags", ParamType::kList, false},
                                             {"userTags", ParamType::kList, false}};
  for (auto [name, work, params] :
       {std::tuple{"SetNicQoS", &VmService::setNicQos, std::vector<strato::ApiParam>{}},
        std::tuple{"GetNicQoS", &VmService::getNicQos, std::vector<strato::ApiParam>{}},
        std::tuple{"DeleteNicQoS", &VmService::deleteNicQos, deleteParams}}) {
    std::string inner = std::string("vm.") + name + "Queued";
    auto type = queued(
        name, inner.c_str(),
        [&bus, work = work](VmService& s, const Json& p, Replier replier) {
          auto reply = strato::share(std::move(replier));
          bus.postBlocking([&s, work, p, reply] { (*reply)((s.*work)(p)); });
        },
        params);
    r.handle(type, onItsVm(inner, nicByUuid));
  }
  auto capabilities = vmApi("GetVmCapabilities", false);
  r.addApi(capabilities);
  r.handle(capabilities.messageType, strato::blockingHandler(bus, [service](const Message& m) {
             return service->capabilities(m.body["params"]);
           }));
}

strato::Status init(strato::Registrar& r) {
  strato::vm::addSchema(r);
  strato::vm::addAffinitySchema(r);
  auto service = std::make_shared<VmService>(r.bus(), r.database(), r.globalConfig(),
                                             r.extensions(), r.logger());
  addApis(r, service);
  strato::vm::addAffinityApis(r, service);
  strato::vm::addCascades(r, service);
  r.addExtension<strato::QuotaReporter>("vm", std::make_shared<VmQuota>(r.database()));
  r.addExtension<strato::HostEvacuator>(
      "vm", std::make_shared<strato::vm::VmEvacuator>(r.bus(), r.database(), r.globalConfig()));

  strato::addDeletionPolicy(r, {"vm", "Direct", "VM", "DestroyVmInstance", "ExpungeVmInstance"},
                            [service] { service->expungeDue(); });

  auto recheck = r.config().getInt("plugin.vm.haRecheckSeconds", 30);
  if (!recheck) return recheck.error();
  if (*recheck <= 0) {
    return strato::makeError(strato::ErrorCode::kInvalidArgument,
                             "plugin.vm.haRecheckSeconds must be > 0");
  }
  auto haRecheck = std::make_shared<strato::PeriodicTask>(
      [s = *recheck] { return std::chrono::milliseconds(std::chrono::seconds(s)); },
      // On the task's own thread: one round at a time, however long a fencer takes.
      [service] { service->recheckLostHosts(); });
  r.onStart([haRecheck]() -> strato::Status {
    haRecheck->start();
    return {};
  });
  r.onStop([haRecheck] { haRecheck->stop(); });
  return {};
}

}  // namespace

STRATO_PLUGIN("vm", "0.1.0", init)
