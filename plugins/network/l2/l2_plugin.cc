// L2 networks (section 5.1 of the ZStack manual): no-VLAN, VLAN, VXLAN pools with VNI ranges and
// VXLAN networks, behind the L2NetworkFactory extension point, attached to clusters and realized
// on their hosts through the L2NetworkRealizer extension point (Simulator here; KVM answers "not
// supported" until its agent exists). See README.md.
#include <strato/host_events.h>
#include <strato/sdk.h>

#include <set>

#include "l2_cascade.h"
#include "l2_factories.h"
#include "l2_realizers.h"
#include "l2_schema.h"
#include "l2_service.h"

namespace {

using strato::Json;
using strato::Message;
using strato::Reply;
using strato::l2::L2NetworkService;
using Service = std::shared_ptr<L2NetworkService>;
using Work = std::function<Reply(const Json&)>;

// Sent per network (resourceUuid = the network) when a host of an attached cluster connects.
constexpr const char* kHostJoinedMessage = "l2Network.HostJoined";

strato::ApiDeclaration l2Api(const char* name, const char* inventory = "L2Network") {
  strato::ApiDeclaration decl;
  decl.name = name;
  decl.messageType = std::string("l2Network.") + name;
  decl.inventory = inventory;
  decl.adminOnly = true;  // the physical network belongs to the cloud's operator
  return decl;
}

void addQueries(strato::Registrar& r) {
  for (auto [api, inventory] :
       {std::pair{"QueryL2Network", "L2Network"}, std::pair{"QueryL2VlanNetwork", "L2VlanNetwork"},
        std::pair{"QueryL2VxlanNetwork", "L2VxlanNetwork"},
        std::pair{"QueryL2VxlanNetworkPool", "L2VxlanNetworkPool"},
        std::pair{"QueryVniRange", "VniRange"}}) {
    strato::ApiDeclaration query;
    query.name = api;
    query.inventory = inventory;
    r.addApi(query);
  }
}

// APIs whose path names the network by another variable than {uuid} (or that create inside a
// pool) are not queued per network by the kernel: they are forwarded to a second message queued
// on the network named by `key`, so one network sees one change at a time (two VXLAN networks of
// one pool must not pick the same free VNI; an attach must not race a detach).
void serveSerialized(strato::Registrar& r, strato::ApiDeclaration decl, const char* key,
                     Work work) {
  auto& bus = r.bus();
  std::string inner = decl.messageType + ".Serialized";
  r.addApi(decl);
  r.handle(decl.messageType, [&bus, inner, key](Message m, strato::Replier reply) {
    std::string uuid = m.body["params"].value(key, "");
    auto shared = std::make_shared<strato::Replier>(std::move(reply));
    bus.request({inner, uuid, m.body}, [shared](Reply done) { (*shared)(std::move(done)); });
  });
  r.handle(inner, strato::blockingHandler(
                      bus, [work](const Message& m) { return work(m.body["params"]); }));
}

void addFactories(strato::Registrar& r) {
  using namespace strato::l2;
  using strato::l2::L2NetworkFactory;
  r.addExtension<L2NetworkFactory>(std::string(kNoVlanType), std::make_shared<NoVlanFactory>());
  r.addExtension<L2NetworkFactory>(std::string(kVlanType), std::make_shared<VlanFactory>());
  r.addExtension<L2NetworkFactory>(std::string(kVxlanPoolType),
                                   std::make_shared<VxlanPoolFactory>());
  r.addExtension<L2NetworkFactory>(std::string(kVxlanType), std::make_shared<VxlanFactory>());
  using strato::l2::L2NetworkRealizer;
  r.addExtension<L2NetworkRealizer>("Simulator",
                                    std::make_shared<SimulatorRealizer>(r.database(), r.logger()));
  r.addExtension<L2NetworkRealizer>("KVM", std::make_shared<KvmRealizer>(r.database(), r.logger(), std::chrono::minutes(1)));
}

void addHostEvents(strato::Registrar& r, const Service& service) {
  // A host of an attached cluster that comes Connected gets the cluster's networks.
  strato::followConnectedHosts(
      r, kHostJoinedMessage,
      [service](const std::string& host) { return service->networksOfHost(host); },
      [service](const std::string& uuid, const std::string& host) {
        return service->hostJoined(uuid, host);
      },
      "l2Network.hostJoined");
  // Blocking (SQL, and the other hosts' agents told): off the bus's own threads.
  auto& bus = r.bus();
  r.subscribe(std::string(strato::kHostDeletedEvent), [&bus, service](const Message& e) {
    bus.postBlocking([service, host = e.body.value("uuid", ""),
                      cluster = e.body.value("clusterUuid", "")] {
      service->hostDeleted(host, cluster);
    });
  });
}

strato::Status init(strato::Registrar& r) {
  strato::l2::addSchema(r);
  addFactories(r);
  auto& db = r.database();
  auto& bus = r.bus();
  auto service = std::make_shared<L2NetworkService>(db, r.extensions(), r.logger());
  addQueries(r);

  auto serve = [&](strato::ApiDeclaration decl, Work work) {
    r.addApi(decl);
    r.handle(decl.messageType, strato::blockingHandler(bus, [work](const Message& m) {
               return work(m.body["params"]);
             }));
  };
  using namespace strato::l2;
  for (auto [api, type] : {std::pair{"CreateL2NoVlanNetwork", kNoVlanType},
                           std::pair{"CreateL2VlanNetwork", kVlanType},
                           std::pair{"CreateL2VxlanNetworkPool", kVxlanPoolType}}) {
    auto decl = l2Api(api);
    decl.responseKind = "inventory";  // the catalog says empty; ZStack answers the inventory
    serve(decl,
          [service, type = std::string(type)](const Json& p) { return service->create(type, p); });
  }
  serveSerialized(r, l2Api("CreateL2VxlanNetwork"), "poolUuid",
                  [service](const Json& p) { return service->create(std::string(kVxlanType), p); });
  serve(l2Api("UpdateL2Network"), [service](const Json& p) { return service->update(p); });
  serveSerialized(r, l2Api("AttachL2NetworkToCluster"), "l2NetworkUuid", [service](const Json& p) {
    return service->attach(p["l2NetworkUuid"], p["clusterUuid"],
                           p.value("systemTags", strato::Json::array()));
  });
  serveSerialized(
      r, l2Api("DetachL2NetworkFromCluster"), "l2NetworkUuid",
      [service](const Json& p) { return service->detach(p["l2NetworkUuid"], p["clusterUuid"]); });
  auto types = l2Api("GetL2NetworkTypes", "");
  serve(types, [service](const Json&) {
    std::set<std::string> names;
    for (const auto& f : service->factories()) names.insert(f->type());
    return Reply(Json{{"l2NetworkTypes", Json(names)}});
  });
  serveSerialized(r, l2Api("CreateVniRange", "VniRange"), "l2NetworkUuid",
                  [&db](const Json& p) { return createVniRange(db, p); });
  serve(l2Api("DeleteVniRange", "VniRange"),
        [&db](const Json& p) { return deleteVniRange(db, p["uuid"]); });

  auto remove = l2Api("DeleteL2Network");
  r.addApi(remove);
  // Everything below goes first (attachments, VNI ranges, a pool's networks, L3 networks of
  // other plugins), then the row.
  r.handle(remove.messageType, [&bus, service](Message m, strato::Replier reply) {
    const Json& p = m.body["params"];
    std::string uuid = p["uuid"];
    strato::deleteWithCascade(
        bus, "L2NetworkVO", uuid, p.value("deleteMode", "Permissive"),
        [service, uuid] { return service->deleteRow(uuid); }, std::move(reply));
  });

  using strato::CascadeNode;
  r.addExtension<CascadeNode>("L2NetworkVO", std::make_shared<L2NetworkCascade>(db));
  r.addExtension<CascadeNode>("L2NetworkClusterRefVO",
                              std::make_shared<L2ClusterRefCascade>(db, service));
  r.addExtension<CascadeNode>("VniRangeVO", std::make_shared<VniRangeCascade>(db));
  addHostEvents(r, service);
  return {};
}

}  // namespace

STRATO_PLUGIN("l2-network", "0.1.0", init)
