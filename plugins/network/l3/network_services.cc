#include "network_services.h"

#include <algorithm>
#include <map>
#include <set>

#include "l3_store.h"

namespace strato::l3 {
namespace {

constexpr const char* kFlatServices = R"(["DHCP", "DNS", "Userdata"])";

}  // namespace

Status ensureFlatProvider(Database& db) {
  auto found = db.query("SELECT 1 FROM network_service_provider WHERE type = ?",
                        {std::string(kFlatProviderType)});
  if (!found) return found.error();
  if (!found->rows.empty()) return {};
  auto now = nowMillis();
  auto inserted = db.execute(
      "INSERT INTO network_service_provider (uuid, name, description, type, networkServiceTypes, "
      "attachedL2NetworkUuids, createDate, lastOpDate) VALUES (?, ?, ?, ?, ?, '[]', ?, ?)",
      {newUuid(), std::string("Flat Network Service Provider"),
       std::string("Flat Network Service Provider"), std::string(kFlatProviderType),
       std::string(kFlatServices), now, now});
  if (inserted) return {};
  // Another management node inserted it first.
  auto again = db.query("SELECT 1 FROM network_service_provider WHERE type = ?",
                        {std::string(kFlatProviderType)});
  if (again && !again->rows.empty()) return {};
  return inserted.error();
}

Reply NetworkServices::types() {
  auto rows = db_.query("SELECT type, networkServiceTypes FROM network_service_provider");
  if (!rows) return rows.error();
  std::map<std::string, std::set<std::string>> byService;
  for (const auto& r : rows->rows) {
    Json services = Json::parse(dbText(r[1]), nullptr, false);
    if (!services.is_array()) continue;
    for (const auto& s : services) byService[s.get<std::string>()].insert(dbText(r[0]));
  }
  Json out = Json::object();
  for (const auto& [service, providers] : byService) out[service] = Json(providers);
  return Json{{"serviceAndProviderTypes", out}};
}

// The map may come as a JSON object (POST body), as JSON text, or in Java's Map.toString() form
// "{uuid=[DHCP, DNS]}" (a DELETE's query string from ZStack's SDK).
Result<std::vector<std::pair<std::string, std::string>>> NetworkServices::pairs(const Json& given) {
  Json map = given;
  if (given.is_string()) {
    std::string text = given.get<std::string>();
    map = Json::parse(text, nullptr, false);
    if (map.is_discarded() && text.size() > 2 && text.front() == '{' && text.back() == '}') {
      map = Json::object();
      std::string body = text.substr(1, text.size() - 2);
      std::size_t i = 0;
      while (i < body.size()) {
        auto eq = body.find("=[", i);
        auto close = body.find(']', eq == std::string::npos ? i : eq);
        if (eq == std::string::npos || close == std::string::npos) break;
        std::string key = body.substr(i, eq - i);
        key.erase(0, key.find_first_not_of(", "));
        Json list = Json::array();
        std::string items = body.substr(eq + 2, close - eq - 2);
        for (std::size_t s = 0; s <= items.size();) {
          auto comma = items.find(',', s);
          std::string item =
              items.substr(s, comma == std::string::npos ? std::string::npos : comma - s);
          item.erase(0, item.find_first_not_of(' '));
          if (!item.empty()) list.push_back(item);
          if (comma == std::string::npos) break;
          s = comma + 1;
        }
        map[key] = list;
        i = close + 1;
      }
    }
  }
  if (!map.is_object() || map.empty()) {
    return invalidArgument(
        "parameter 'networkServices' must map provider uuids to service types, e.g. "
        "{\"<providerUuid>\": [\"DHCP\"]}",
        given.dump());
  }
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [provider, services] : map.items()) {
    Json list = services.is_string() ? Json::array({services}) : services;
    if (!list.is_array() || list.empty()) {
      return invalidArgument("parameter 'networkServices': provider " + provider +
                             " needs a list of service types");
    }
    for (const auto& s : list) {
      if (!s.is_string()) return invalidArgument("parameter 'networkServices': types are strings");
      out.emplace_back(provider, s.get<std::string>());
    }
  }
  return out;
}

Reply NetworkServices::attach(const std::string& l3Uuid, const Json& networkServices) {
  if (auto l3 = loadL3(db_, l3Uuid); !l3) return l3.error();
  auto wanted = pairs(networkServices);
  if (!wanted) return wanted.error();
  auto done = db_.transaction([&](Database& tx) -> Status {
    for (const auto& [provider, type] : *wanted) {
      auto row = tx.query("SELECT networkServiceTypes FROM network_service_provider WHERE uuid = ?",
                          {provider});
      if (!row) return row.error();
      if (row->rows.empty()) {
        return invalidArgument("parameter 'networkServices': no network service provider " +
                               provider);
      }
      Json offered = Json::parse(dbText(row->rows[0][0]), nullptr, false);
      if (!offered.is_array() || std::find(offered.begin(), offered.end(), type) == offered.end()) {
        return invalidArgument(
            "parameter 'networkServices': provider " + provider + " offers no " + type,
            "it offers " + dbText(row->rows[0][0]));
      }
      auto taken = tx.query(
          "SELECT networkServiceProviderUuid FROM network_service_l3_ref WHERE l3NetworkUuid = ? "
          "AND networkServiceType = ?",
          {l3Uuid, type});
      if (!taken) return taken.error();
      if (!taken->rows.empty()) {
        return invalidArgument("parameter 'networkServices': the L3 network already has " + type +
                               " from provider " + dbText(taken->rows[0][0]));
      }
      auto inserted = tx.execute(
          "INSERT INTO network_service_l3_ref (l3NetworkUuid, networkServiceProviderUuid, "
          "networkServiceType) VALUES (?, ?, ?)",
          {l3Uuid, provider, type});
      if (!inserted) return inserted.error();
    }
    return refreshServices(tx, l3Uuid);
  });
  if (!done) return done.error();
  if (auto s = ensureDhcpIp(l3Uuid); !s) return s.error();
  return Json::object();
}

Reply NetworkServices::detach(const std::string& l3Uuid, const Json& networkServices) {
  if (auto l3 = loadL3(db_, l3Uuid); !l3) return l3.error();
  auto wanted = pairs(networkServices);
  if (!wanted) return wanted.error();
  auto dhcpBefore = flatDhcpAttached(l3Uuid);
  if (!dhcpBefore) return dhcpBefore.error();
  auto done = db_.transaction([&](Database& tx) -> Status {
    for (const auto& [provider, type] : *wanted) {
      auto deleted = tx.execute(
          "DELETE FROM network_service_l3_ref WHERE l3NetworkUuid = ? AND "
          "networkServiceProviderUuid = ? AND networkServiceType = ?",
          {l3Uuid, provider, type});
      if (!deleted) return deleted.error();
      if (*deleted == 0) {
        return invalidArgument("parameter 'networkServices': " + type + " of provider " + provider +
                               " is not attached to L3 network " + l3Uuid);
      }
    }
    return refreshServices(tx, l3Uuid);
  });
  if (!done) return done.error();
  auto dhcpAfter = flatDhcpAttached(l3Uuid);
  if (!dhcpAfter) return dhcpAfter.error();
  if (*dhcpBefore && !*dhcpAfter) {
    if (auto l3 = loadL3(db_, l3Uuid)) publishFlatDhcpRemoved(bus_, {{l3Uuid, l3->l2NetworkUuid}});
    // The DHCP server is gone: its address goes back to the range.
    auto held = db_.query("SELECT uuid FROM used_ip WHERE l3NetworkUuid = ? AND usedFor = ?",
                          {l3Uuid, std::string(kDhcpOwner)});
    if (!held) return held.error();
    for (const auto& r : held->rows) {
      if (auto s = allocator_.release(dbText(r[0])); !s) return s.error();
    }
  }
  return Json::object();
}

Result<std::vector<std::pair<std::string, std::string>>> flatDhcpNetworksAmong(
    Database& db, const std::vector<DbValue>& uuids) {
  std::vector<DbValue> args{std::string(kFlatProviderType)};
  args.insert(args.end(), uuids.begin(), uuids.end());
  auto rows = db.query(
      "SELECT l3.uuid, l3.l2NetworkUuid FROM l3_network l3 JOIN network_service_l3_ref r ON "
      "r.l3NetworkUuid = l3.uuid JOIN network_service_provider p ON p.uuid = "
      "r.networkServiceProviderUuid WHERE r.networkServiceType = 'DHCP' AND p.type = ? AND "
      "l3.uuid IN (" +
          sqlPlaceholders(uuids.size()) + ")",
      args);
  if (!rows) return rows.error();
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& r : rows->rows) out.emplace_back(dbText(r[0]), dbText(r[1]));
  return out;
}

void publishFlatDhcpRemoved(MessageBus& bus,
                            const std::vector<std::pair<std::string, std::string>>& networks) {
  for (const auto& [l3, l2] : networks) {
    bus.publish({std::string(kFlatDhcpRemovedEvent), l3,
                 Json{{"l3NetworkUuid", l3}, {"l2NetworkUuid", l2}}});
  }
}

Result<bool> NetworkServices::flatDhcpAttached(const std::string& l3Uuid) {
  return flatServiceAttached(l3Uuid, "DHCP");
}

Result<bool> NetworkServices::flatServiceAttached(const std::string& l3Uuid,
                                                  const std::string& type) {
  auto rows = db_.query(
      "SELECT 1 FROM network_service_l3_ref r JOIN network_service_provider p ON "
      "p.uuid = r.networkServiceProviderUuid WHERE r.l3NetworkUuid = ? AND "
      "r.networkServiceType = ? AND p.type = ?",
      {l3Uuid, type, std::string(kFlatProviderType)});
  if (!rows) return rows.error();
  return !rows->rows.empty();
}

Status NetworkServices::ensureDhcpIp(const std::string& l3Uuid) {
  auto attached = flatDhcpAttached(l3Uuid);
  if (!attached) return attached.error();
  if (!*attached) return {};
  auto held = db_.query("SELECT 1 FROM used_ip WHERE l3NetworkUuid = ? AND usedFor = ?",
                        {l3Uuid, std::string(kDhcpOwner)});
  if (!held) return held.error();
  if (!held->rows.empty()) return {};
  auto ranges = loadRanges(db_, l3Uuid);
  if (!ranges) return ranges.error();
  if (ranges->empty()) return {};
  AllocateRequest request;
  request.l3NetworkUuid = l3Uuid;
  request.usedFor = kDhcpOwner;
  request.metaData = "flat DHCP server";
  request.allowDisabled = true;
  auto ip = allocator_.allocate(request);
  if (!ip) return ip.error();
  logger_.info("l3Network.dhcpIp uuid=" + l3Uuid + " ip=" + (*ip)["ip"].get<std::string>());
  return {};
}

Reply NetworkServices::flatDhcpNetworks(const Json& l3Uuids) {
  Json networks = Json::object();
  if (!l3Uuids.is_array()) return invalidArgument("l3NetworkUuids is a list of uuids");
  for (const auto& u : l3Uuids) {
    if (!u.is_string() || networks.contains(u.get<std::string>())) continue;
    std::string uuid = u;
    auto attached = flatDhcpAttached(uuid);
    if (!attached) return attached.error();
    if (!*attached) continue;
    auto server = db_.query(
        "SELECT ip, netmask, gateway FROM used_ip WHERE l3NetworkUuid = ? AND usedFor = ?",
        {uuid, std::string(kDhcpOwner)});
    if (!server) return server.error();
    if (server->rows.empty()) continue;  // no range yet, so no NIC either
    auto l3 = loadL3(db_, uuid);
    if (!l3) return l3.error();
    std::int64_t mtu = 0;
    if (l3->mtu) {
      mtu = *l3->mtu;
    } else if (auto l2 = loadL2(db_, l3->l2NetworkUuid)) {
      mtu = l2->mtu;
    }
    auto userdata = flatServiceAttached(uuid, "Userdata");
    if (!userdata) return userdata.error();
    // The Flat DNS service is the L3's DNS servers and domain, handed out by DHCP.
    auto dns = flatServiceAttached(uuid, "DNS");
    if (!dns) return dns.error();
    auto domain = db_.query("SELECT dnsDomain FROM l3_network WHERE uuid = ?", {uuid});
    if (!domain) return domain.error();
    Json routes = Json::array();
    for (const auto& route : l3->hostRoute) {
      routes.push_back(
          {{"prefix", route.value("prefix", "")}, {"nextHop", route.value("nextHop", "")}});
    }
    const auto& r = server->rows[0];
    networks[uuid] = Json{
        {"serverIp", dbText(r[0])},
        {"netmask", dbText(r[1])},
        {"gateway", dbText(r[2])},
        {"dns", *dns ? l3->dns : Json::array()},
        {"dnsDomain", *dns && !domain->rows.empty() ? dbText(domain->rows[0][0]) : std::string()},
        {"mtu", mtu},
        {"hostRoutes", std::move(routes)},
        {"userdata", *userdata}};
  }
  return Json{{"networks", std::move(networks)}};
}

Reply NetworkServices::dhcpIp(const std::string& l3Uuid) {
  if (auto l3 = loadL3(db_, l3Uuid); !l3) return l3.error();
  auto held = db_.query("SELECT ip FROM used_ip WHERE l3NetworkUuid = ? AND usedFor = ?",
                        {l3Uuid, std::string(kDhcpOwner)});
  if (!held) return held.error();
  if (!held->rows.empty()) return Json{{"ip", dbText(held->rows[0][0])}};
  auto attached = flatDhcpAttached(l3Uuid);
  if (!attached) return attached.error();
  if (!*attached) {
    return invalidArgument("L3 network " + l3Uuid + " has no DHCP service of the Flat provider");
  }
  return invalidArgument("L3 network " + l3Uuid +
                         " has no IP range to take the DHCP server's address from");
}

}  // namespace strato::l3
