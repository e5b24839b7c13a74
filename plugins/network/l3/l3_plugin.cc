// L3 networks (section 5.2 of the ZStack manual): L3BasicNetwork on an L2 network, with DNS,
// host routes, MTU, router interface IP, IP ranges (by range and by CIDR) and IPAM (the used_ip
// table, the FirstAvailable and Random allocator strategies, served to other plugins on the bus
// as l3.AllocateIp / l3.ReleaseIp); and the network service APIs of 6.1.1-6.1.5 with the
// built-in Flat provider (DHCP, DNS, Userdata). See README.md.
#include <strato/sdk.h>

#include "ip_allocator.h"
#include "ip_queries.h"
#include "ip_ranges.h"
#include "l3_cascade.h"
#include "l3_schema.h"
#include "l3_service.h"
#include "network_services.h"

namespace {

using strato::Json;
using strato::Message;
using strato::Reply;
using strato::l3::IpAllocator;
using strato::l3::L3NetworkService;
using strato::l3::NetworkServices;
using Work = std::function<Reply(const Json& params, const Json& session)>;

// Bus messages of the IPAM, for the VM plugin (see README.md).
constexpr const char* kAllocateIpMessage = "l3.AllocateIp";
constexpr const char* kReleaseIpMessage = "l3.ReleaseIp";
// {"l3NetworkUuids"} -> NetworkServices::flatDhcpNetworks; hypervisor plugins serve DHCP with it.
constexpr const char* kFlatDhcpMessage = "l3.FlatDhcpNetworks";

struct Parts {
  std::shared_ptr<IpAllocator> allocator;
  std::shared_ptr<L3NetworkService> l3;
  std::shared_ptr<NetworkServices> services;
};

// Normal accounts own L3 networks and IP ranges (ZStack lets them); the kernel refuses them
// anything named by a uuid that another account owns.
strato::ApiDeclaration l3Api(const char* name, const char* inventory = "L3Network") {
  strato::ApiDeclaration decl;
  decl.name = name;
  decl.messageType = std::string("l3Network.") + name;
  decl.inventory = inventory;
  return decl;
}

strato::ApiDeclaration plainApi(const char* name) { return l3Api(name, ""); }

class Server {
 public:
  Server(strato::Registrar& r, Parts parts) : r_(r), bus_(r.bus()), parts_(std::move(parts)) {}

  void serve(strato::ApiDeclaration decl, Work work) {
    r_.addApi(decl);
    r_.handle(decl.messageType, strato::blockingHandler(bus_, [work](const Message& m) {
                return work(m.body["params"], m.body["session"]);
              }));
  }

  // APIs that name the L3 by {l3NetworkUuid} are not queued per L3 by the kernel (it queues on
  // {uuid}): they are forwarded to a second message queued on the L3, the same queue as
  // UpdateL3Network & co., so one L3 sees one change at a time (two AddIpRange must not both pass
  // the overlap check; a DNS list must not lose an item to a concurrent write).
  void serveOnL3(strato::ApiDeclaration decl, Work work) {
    auto& bus = bus_;
    std::string inner = decl.messageType + ".Serialized";
    r_.addApi(decl);
    r_.handle(decl.messageType, [&bus, inner](Message m, strato::Replier reply) {
      std::string uuid = m.body["params"].value("l3NetworkUuid", "");
      auto shared = std::make_shared<strato::Replier>(std::move(reply));
      bus.request({inner, uuid, m.body}, [shared](Reply done) { (*shared)(std::move(done)); });
    });
    r_.handle(inner, strato::blockingHandler(bus_, [work](const Message& m) {
                return work(m.body["params"], m.body["session"]);
              }));
  }

  void addAll();

 private:
  void addL3Apis();
  void addRangeApis();
  void addIpamApis();
  void addServiceApis();
  void addDeletes();

  strato::Registrar& r_;
  strato::MessageBus& bus_;
  Parts parts_;
};

void Server::addL3Apis() {
  auto l3 = parts_.l3;
  serve(l3Api("CreateL3Network"),
        [l3](const Json& p, const Json& session) { return l3->create(p, session); });
  serve(l3Api("UpdateL3Network"),
        [l3](const Json& p, const Json& session) { return l3->update(p, session); });
  serve(l3Api("ChangeL3NetworkState"),
        [l3](const Json& p, const Json&) { return l3->changeState(p); });
  serve(plainApi("GetL3NetworkTypes"), [](const Json&, const Json&) {
    return Reply(Json{{"l3NetworkTypes", {std::string(strato::l3::kBasicType)}}});
  });
  serveOnL3(l3Api("AddDnsToL3Network"), [l3](const Json& p, const Json&) { return l3->addDns(p); });
  serveOnL3(l3Api("RemoveDnsFromL3Network"),
            [l3](const Json& p, const Json&) { return l3->removeDns(p); });
  serveOnL3(l3Api("AddHostRouteToL3Network"),
            [l3](const Json& p, const Json&) { return l3->addHostRoute(p); });
  serveOnL3(l3Api("RemoveHostRouteFromL3Network"),
            [l3](const Json& p, const Json&) { return l3->removeHostRoute(p); });
  serve(plainApi("GetL3NetworkMtu"),
        [l3](const Json& p, const Json&) { return l3->getMtu(p["l3NetworkUuid"]); });
  serveOnL3(plainApi("SetL3NetworkMtu"),
            [l3](const Json& p, const Json&) { return l3->setMtu(p); });
  serve(plainApi("GetL3NetworkRouterInterfaceIp"),
        [l3](const Json& p, const Json&) { return l3->getRouterInterfaceIp(p["l3NetworkUuid"]); });
  serveOnL3(plainApi("SetL3NetworkRouterInterfaceIp"),
            [l3](const Json& p, const Json&) { return l3->setRouterInterfaceIp(p); });
}

void Server::addRangeApis() {
  auto& db = r_.database();
  auto parts = parts_;
  // A new range changes what the allocator may hand out, and may give a waiting Flat DHCP
  // server its address.
  auto added = [parts](Reply reply, const std::string& l3) -> Reply {
    if (!reply) return reply;
    parts.allocator->invalidate(l3);
    if (auto s = parts.services->ensureDhcpIp(l3); !s) return s.error();
    return reply;
  };
  serveOnL3(l3Api("AddIpRange", "IpRange"), [&db, added](const Json& p, const Json&) {
    return added(strato::l3::addIpRange(db, p), p["l3NetworkUuid"]);
  });
  serveOnL3(l3Api("AddIpRangeByNetworkCidr", "IpRange"), [&db, added](const Json& p, const Json&) {
    return added(strato::l3::addIpRangeByNetworkCidr(db, p), p["l3NetworkUuid"]);
  });
  serve(l3Api("UpdateIpRange", "IpRange"),
        [&db](const Json& p, const Json&) { return strato::l3::updateIpRange(db, p); });
}

void Server::addIpamApis() {
  auto& db = r_.database();
  using strato::ParamType;
  auto freeIp = plainApi("GetFreeIp");
  freeIp.method = strato::HttpMethod::kGet;
  freeIp.path = "/zstack/v1/l3-networks/{l3NetworkUuid}/ip/free";
  freeIp.extraPaths = {"/zstack/v1/l3-networks/ip-ranges/{ipRangeUuid}/ip/free"};
  // The manual's example sends limit=100.0: taken as a number, not only as an integer.
  freeIp.params = {{"l3NetworkUuid", ParamType::kString}, {"ipRangeUuid", ParamType::kString},
                   {"start", ParamType::kString},         {"limit", ParamType::kFloat},
                   {"systemTags", ParamType::kList},      {"userTags", ParamType::kList}};
  serve(freeIp, [&db](const Json& p, const Json&) { return strato::l3::getFreeIp(db, p); });
  serve(plainApi("CheckIpAvailability"),
        [&db](const Json& p, const Json&) { return strato::l3::checkIpAvailability(db, p); });
  // The manual spells the lists zoneUids, l3NetworkUids, ipRangeUids (ZStack's SDK: zoneUuids,
  // l3NetworkUuids, ipRangeUuids): both are taken. Totals over every account: admins only.
  auto capacity = plainApi("GetIpAddressCapacity");
  capacity.method = strato::HttpMethod::kGet;
  capacity.path = "/zstack/v1/ip-capacity";
  capacity.adminOnly = true;
  for (const char* list : {"zoneUuids", "l3NetworkUuids", "ipRangeUuids", "zoneUids",
                           "l3NetworkUids", "ipRangeUids", "systemTags", "userTags"}) {
    capacity.params.push_back({list, ParamType::kList});
  }
  capacity.params.push_back({"all", ParamType::kBoolean});
  serve(capacity,
        [&db](const Json& p, const Json&) { return strato::l3::getIpAddressCapacity(db, p); });

  // IPAM for other plugins. No resourceUuid: allocations on one L3 run in parallel, the
  // allocator and the UNIQUE index keep them apart. The handlers pick on the bus worker and
  // leave the write to the allocator's batcher: no thread waits per request.
  auto allocator = parts_.allocator;
  r_.handle(kAllocateIpMessage, [allocator](Message m, strato::Replier reply) {
    const Json& b = m.body;
    const Json owner = b.value("owner", Json::object());
    strato::l3::AllocateRequest request;
    request.l3NetworkUuid = strato::textParam(b, "l3NetworkUuid");
    request.requiredIp = strato::textParam(b, "requiredIp");
    request.strategy = strato::textParam(b, "allocatorStrategy");
    request.ipRangeUuid = strato::textParam(b, "ipRangeUuid");
    request.usedFor = strato::textParam(owner, "usedFor");
    request.vmNicUuid = strato::textParam(owner, "vmNicUuid");
    request.metaData = strato::textParam(owner, "metaData");
    auto shared = std::make_shared<strato::Replier>(std::move(reply));
    allocator->allocateAsync(std::move(request), [shared](strato::Result<Json> usedIp) {
      if (!usedIp) return (*shared)(usedIp.error());
      (*shared)(Json{{"inventory", std::move(*usedIp)}});
    });
  });
  r_.handle(kReleaseIpMessage, [allocator](Message m, strato::Replier reply) {
    auto shared = std::make_shared<strato::Replier>(std::move(reply));
    allocator->releaseAsync(strato::textParam(m.body, "usedIpUuid"), [shared](strato::Status done) {
      if (!done) return (*shared)(done.error());
      (*shared)(Json::object());
    });
  });
}

void Server::addServiceApis() {
  auto services = parts_.services;
  serve(plainApi("GetNetworkServiceTypes"),
        [services](const Json&, const Json&) { return services->types(); });
  serveOnL3(plainApi("AttachNetworkServiceToL3Network"), [services](const Json& p, const Json&) {
    return services->attach(p["l3NetworkUuid"], p["networkServices"]);
  });
  // A DELETE carries its map in the query string, so as text (see NetworkServices::pairs).
  auto detach = plainApi("DetachNetworkServiceFromL3Network");
  detach.method = strato::HttpMethod::kDelete;
  detach.path = "/zstack/v1/l3-networks/{l3NetworkUuid}/network-services";
  detach.params = {{"l3NetworkUuid", strato::ParamType::kString, true},
                   {"networkServices", strato::ParamType::kString, true},
                   {"systemTags", strato::ParamType::kList},
                   {"userTags", strato::ParamType::kList}};
  serveOnL3(detach, [services](const Json& p, const Json&) {
    return services->detach(p["l3NetworkUuid"], p["networkServices"]);
  });
  serve(plainApi("GetL3NetworkDhcpIpAddress"),
        [services](const Json& p, const Json&) { return services->dhcpIp(p["l3NetworkUuid"]); });
  r_.handle(kFlatDhcpMessage, strato::blockingHandler(bus_, [services](const Message& m) {
              return services->flatDhcpNetworks(m.body.value("l3NetworkUuids", Json::array()));
            }));
}

void Server::addDeletes() {
  auto& bus = bus_;
  auto& db = r_.database();
  auto parts = parts_;
  auto remove = l3Api("DeleteL3Network");
  r_.addApi(remove);
  // Everything below goes first (ranges; VM NICs once the VM plugin exists), then the row.
  r_.handle(remove.messageType, [&bus, parts](Message m, strato::Replier reply) {
    const Json& p = m.body["params"];
    std::string uuid = p["uuid"];
    strato::deleteWithCascade(
        bus, "L3NetworkVO", uuid, p.value("deleteMode", "Permissive"),
        [parts, uuid] { return parts.l3->deleteRow(uuid); }, std::move(reply));
  });

  // DeleteIpRange names the range: it is forwarded to the range's L3 queue, then deletes.
  auto removeRange = l3Api("DeleteIpRange", "IpRange");
  r_.addApi(removeRange);
  std::string inner = removeRange.messageType + ".Serialized";
  r_.handle(removeRange.messageType, [&bus, &db, inner](Message m, strato::Replier reply) {
    auto shared = std::make_shared<strato::Replier>(std::move(reply));
    bus.postBlocking([&bus, &db, inner, shared, body = m.body] {
      auto l3s = strato::l3::l3sOfRanges(db, {body["params"].value("uuid", "")});
      if (!l3s) return (*shared)(l3s.error());
      if (l3s->empty()) return (*shared)(Json::object());  // already gone
      bus.request({inner, l3s->front(), body},
                  [shared](Reply done) { (*shared)(std::move(done)); });
    });
  });
  r_.handle(inner, [&bus, &db, parts](Message m, strato::Replier reply) {
    const Json& p = m.body["params"];
    std::string uuid = p["uuid"];
    std::string l3 = m.resourceUuid;
    strato::deleteWithCascade(
        bus, "IpRangeVO", uuid, p.value("deleteMode", "Permissive"),
        [&db, parts, uuid, l3]() -> Reply {
          if (auto s = strato::l3::removeRanges(db, {uuid}); !s) return s.error();
          parts.allocator->invalidate(l3);
          // The Flat DHCP server's address may have gone with the range.
          if (auto s = parts.services->ensureDhcpIp(l3); !s) return s.error();
          return Json::object();
        },
        std::move(reply));
  });
}

void Server::addAll() {
  for (auto [api, inventory] :
       {std::pair{"QueryL3Network", "L3Network"}, std::pair{"QueryIpRange", "IpRange"},
        std::pair{"QueryNetworkServiceProvider", "NetworkServiceProvider"},
        std::pair{"QueryNetworkServiceL3NetworkRef", "NetworkServiceL3NetworkRef"}}) {
    strato::ApiDeclaration query;
    query.name = api;
    query.inventory = inventory;
    r_.addApi(query);
  }
  addL3Apis();
  addRangeApis();
  addIpamApis();
  addServiceApis();
  addDeletes();
}

strato::Status init(strato::Registrar& r) {
  strato::l3::addSchema(r);
  auto& db = r.database();
  Parts parts;
  parts.allocator = std::make_shared<IpAllocator>(db, r.bus(), r.logger());
  parts.l3 = std::make_shared<L3NetworkService>(db, r.bus(), *parts.allocator, r.logger());
  parts.services = std::make_shared<NetworkServices>(db, r.bus(), *parts.allocator, r.logger());
  Server(r, parts).addAll();
  r.onStart([&db] { return strato::l3::ensureFlatProvider(db); });

  using strato::CascadeNode;
  r.addExtension<CascadeNode>("L3NetworkVO",
                              std::make_shared<strato::l3::L3NetworkCascade>(db, parts.l3));
  r.addExtension<CascadeNode>("IpRangeVO",
                              std::make_shared<strato::l3::IpRangeCascade>(db, *parts.allocator));
  return {};
}

}  // namespace

STRATO_PLUGIN("l3-network", "0.1.0", init)
