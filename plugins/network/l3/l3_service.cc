#include "l3_service.h"

#include <cctype>
#include "ip_address.h"
#include "network_services.h"

namespace strato::l3 {
namespace {

// ZStack's rule for category and system: a system network is Public or System, a normal one
// Public or Private.
Status checkCategory(bool system, const std::string& category) {
  if (system && category == "Private") {
    return invalidArgument(
        "parameter 'category' cannot be Private for a system network (system=true)");
  }
  if (!system && category == "System") {
    return invalidArgument("parameter 'category' System needs system=true");
  }
  return {};
}

bool looksLikeIpv6(const std::string& s) {
  if (s.find(':') == std::string::npos || s.size() > 45) return false;
  for (char c : s) {
    if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.') return false;
  }
  return true;
}

// MTUs ZStack accepts: from the IPv4 minimum to jumbo frames.
constexpr std::int64_t kMinMtu = 68;
constexpr std::int64_t kMaxMtu = 9216;

}  // namespace

Reply L3NetworkService::create(const Json& p, const Json& session) {
  std::string l2Uuid = textParam(p, "l2NetworkUuid");
  auto l2 = loadL2(db_, l2Uuid);
  if (!l2) {
    if (l2.error().code != ErrorCode::kNotFound) return l2.error();
    return invalidArgument("parameter 'l2NetworkUuid' names no L2 network", l2Uuid);
  }
  if (l2->type == "L2VxlanNetworkPool") {
    return invalidArgument(
        "parameter 'l2NetworkUuid' names a VXLAN network pool: create the L3 network "
        "on one of its VXLAN networks");
  }
  std::string type = p.contains("type") ? textParam(p, "type") : std::string(kBasicType);
  if (type != kBasicType) return invalidArgument("parameter 'type' must be L3BasicNetwork", type);
  bool system = p.value("system", false);
  if (system && !(session.is_object() && session.value("admin", false))) {
    return makeError(ErrorCode::kPermissionDenied, "only an admin may create a system L3 network");
  }
  std::string category = p.contains("category") ? textParam(p, "category")
                                                : std::string(system ? "System" : "Private");
  if (auto s = checkCategory(system, category); !s) return s.error();
  std::string uuid = textParam(p, "resourceUuid");
  if (uuid.empty()) uuid = newUuid();
  if (!isUuid(uuid)) return invalidArgument("parameter 'resourceUuid' must be 32 hex digits", uuid);
  auto text = [&](const char* key) {
    return p.contains(key) && p[key].is_string() ? DbValue(p[key].get<std::string>()) : DbValue();
  };
  auto now = nowMillis();
  auto inserted = db_.execute(
      "INSERT INTO l3_network (uuid, name, description, type, zoneUuid, l2NetworkUuid, state, "
      "dnsDomain, isSystem, category, ipVersion, dns, hostRoute, ipRanges, networkServices, "
      "createDate, lastOpDate) VALUES (?, ?, ?, ?, ?, ?, 'Enabled', ?, ?, ?, 4, '[]', '[]', '[]', "
      "'[]', ?, ?)",
      {uuid, textParam(p, "name"), text("description"), type, l2->zoneUuid, l2Uuid,
       text("dnsDomain"), std::int64_t{system ? 1 : 0}, category, now, now});
  if (!inserted) {
    auto existing = db_.query("SELECT 1 FROM l3_network WHERE uuid = ?", {uuid});
    if (existing && !existing->rows.empty()) {
      return makeError(ErrorCode::kAlreadyExists, "a resource with uuid " + uuid + " exists");
    }
    return inserted.error();
  }
  logger_.info("l3Network.created uuid=" + uuid + " l2=" + l2Uuid);
  return inventoryReply(db_, uuid);
}

Reply L3NetworkService::update(const Json& p, const Json& session) {
  std::string uuid = p["uuid"];
  auto rows = db_.query("SELECT isSystem, category FROM l3_network WHERE uuid = ?", {uuid});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return makeError(ErrorCode::kNotFound, "no L3 network " + uuid);
  bool system = p.contains("system") ? p["system"].get<bool>() : dbInt(rows->rows[0][0]) != 0;
  std::string category =
      p.contains("category") ? textParam(p, "category") : dbText(rows->rows[0][1]);
  if (p.contains("system") && system && !(session.is_object() && session.value("admin", false))) {
    return makeError(ErrorCode::kPermissionDenied, "only an admin may make an L3 network system");
  }
  if (auto s = checkCategory(system, category); !s) return s.error();
  auto now = nowMillis();
  auto done = db_.transaction([&](Database& tx) -> Status {
    for (const char* field : {"name", "description", "dnsDomain", "category"}) {
      if (!p.contains(field)) continue;
      auto changed = tx.execute(
          std::string("UPDATE l3_network SET ") + field + " = ?, lastOpDate = ? WHERE uuid = ?",
          {p[field].get<std::string>(), now, uuid});
      if (!changed) return changed.error();
    }
    return statusOf(tx.execute("UPDATE l3_network SET isSystem = ? WHERE uuid = ?",
                               {std::int64_t{system ? 1 : 0}, uuid}));
  });
  if (!done) return done.error();
  return inventoryReply(db_, uuid);
}

Reply L3NetworkService::changeState(const Json& p) {
  std::string uuid = p["uuid"];
  if (auto l3 = loadL3(db_, uuid); !l3) return l3.error();
  std::string event = textParam(p, "stateEvent");
  if (event != "enable" && event != "disable") {
    return invalidArgument("parameter 'stateEvent' must be enable or disable", event);
  }
  auto changed = db_.execute("UPDATE l3_network SET state = ?, lastOpDate = ? WHERE uuid = ?",
                             {event == "enable" ? "Enabled" : "Disabled", nowMillis(), uuid});
  if (!changed) return changed.error();
  allocator_.invalidate(uuid);  // a Disabled L3 hands out no address
  return inventoryReply(db_, uuid);
}

Status L3NetworkService::writeList(const std::string& uuid, const char* column, const Json& list) {
  return statusOf(db_.execute(
      std::string("UPDATE l3_network SET ") + column + " = ?, lastOpDate = ? WHERE uuid = ?",
      {list.dump(), nowMillis(), uuid}));
}

Reply L3NetworkService::addDns(const Json& p) {
  std::string uuid = textParam(p, "l3NetworkUuid");
  auto l3 = loadL3(db_, uuid);
  if (!l3) return l3.error();
  std::string dns = textParam(p, "dns");
  if (!parseIpv4(dns) && !looksLikeIpv6(dns)) {
    return invalidArgument("parameter 'dns' is not an IP address", dns);
  }
  for (const auto& d : l3->dns) {
    if (d == dns)
      return invalidArgument("parameter 'dns': " + dns + " is already a DNS server of it");
  }
  l3->dns.push_back(dns);
  if (auto s = writeList(uuid, "dns", l3->dns); !s) return s.error();
  return inventoryReply(db_, uuid);
}

// Removing a server the network does not have leaves it as wanted: not an error.
Reply L3NetworkService::removeDns(const Json& p) {
  std::string uuid = textParam(p, "l3NetworkUuid");
  auto l3 = loadL3(db_, uuid);
  if (!l3) return l3.error();
  Json kept = Json::array();
  for (const auto& d : l3->dns) {
    if (d != textParam(p, "dns")) kept.push_back(d);
  }
  if (auto s = writeList(uuid, "dns", kept); !s) return s.error();
  return inventoryReply(db_, uuid);
}

Reply L3NetworkService::addHostRoute(const Json& p) {
  std::string uuid = textParam(p, "l3NetworkUuid");
  auto l3 = loadL3(db_, uuid);
  if (!l3) return l3.error();
  auto prefix = parseCidr(textParam(p, "prefix"), true);
  if (!prefix) {
    return invalidArgument(
        "parameter 'prefix' must be a network in CIDR form, e.g. 169.254.169.254/32",
        textParam(p, "prefix"));
  }
  if (!parseIpv4(textParam(p, "nexthop"))) {
    return invalidArgument("parameter 'nexthop' is not an IPv4 address", textParam(p, "nexthop"));
  }
  std::int64_t id = 1;
  for (const auto& r : l3->hostRoute) {
    if (r.value("prefix", "") == prefix->text()) {
      return invalidArgument("parameter 'prefix': the L3 network already has a route to " +
                             prefix->text());
    }
    id = std::max(id, r.value("id", std::int64_t{0}) + 1);
  }
  std::string now = formatGsonDate(nowMillis());
  l3->hostRoute.push_back({{"id", id},
                           {"l3NetworkUuid", uuid},
                           {"prefix", prefix->text()},
                           {"nextHop", textParam(p, "nexthop")},
                           {"createDate", now},
                           {"lastOpDate", now}});
  if (auto s = writeList(uuid, "hostRoute", l3->hostRoute); !s) return s.error();
  return inventoryReply(db_, uuid);
}

Reply L3NetworkService::removeHostRoute(const Json& p) {
  std::string uuid = textParam(p, "l3NetworkUuid");
  auto l3 = loadL3(db_, uuid);
  if (!l3) return l3.error();
  auto prefix = parseCidr(textParam(p, "prefix"), false);
  std::string wanted = prefix ? prefix->text() : textParam(p, "prefix");
  Json kept = Json::array();
  for (const auto& r : l3->hostRoute) {
    if (r.value("prefix", "") != wanted) kept.push_back(r);
  }
  if (auto s = writeList(uuid, "hostRoute", kept); !s) return s.error();
  return inventoryReply(db_, uuid);
}

Reply L3NetworkService::getMtu(const std::string& uuid) {
  auto l3 = loadL3(db_, uuid);
  if (!l3) return l3.error();
  if (l3->mtu) return Json{{"mtu", *l3->mtu}};
  auto l2 = loadL2(db_, l3->l2NetworkUuid);
  if (!l2) return l2.error();
  return Json{{"mtu", l2->mtu}};
}

Reply L3NetworkService::setMtu(const Json& p) {
  std::string uuid = textParam(p, "l3NetworkUuid");
  if (auto l3 = loadL3(db_, uuid); !l3) return l3.error();
  std::int64_t mtu = p.value("mtu", std::int64_t{0});
  if (mtu < kMinMtu || mtu > kMaxMtu) {
    return invalidArgument("parameter 'mtu' must be between 68 and 9216", std::to_string(mtu));
  }
  auto changed = db_.execute("UPDATE l3_network SET mtu = ?, lastOpDate = ? WHERE uuid = ?",
                             {mtu, nowMillis(), uuid});
  if (!changed) return changed.error();
  return Json::object();
}

// Unset, the router's interface takes the gateway, as ZStack's VPC routers do.
Reply L3NetworkService::getRouterInterfaceIp(const std::string& uuid) {
  auto l3 = loadL3(db_, uuid);
  if (!l3) return l3.error();
  if (!l3->routerInterfaceIp.empty()) return Json{{"routerInterfaceIp", l3->routerInterfaceIp}};
  auto ranges = loadRanges(db_, uuid);
  if (!ranges) return ranges.error();
  if (ranges->empty()) return Json{{"routerInterfaceIp", nullptr}};
  return Json{{"routerInterfaceIp", ranges->front().gateway}};
}

Reply L3NetworkService::setRouterInterfaceIp(const Json& p) {
  std::string uuid = textParam(p, "l3NetworkUuid");
  if (auto l3 = loadL3(db_, uuid); !l3) return l3.error();
  std::string text = textParam(p, "routerInterfaceIp");
  auto ip = parseIpv4(text);
  if (!ip) return invalidArgument("parameter 'routerInterfaceIp' is not an IPv4 address", text);
  auto ranges = loadRanges(db_, uuid);
  if (!ranges) return ranges.error();
  if (!ranges->empty()) {
    auto cidr = parseCidr(ranges->front().networkCidr, false);
    if (cidr && (*ip < cidr->first() || *ip > cidr->last())) {
      return invalidArgument("parameter 'routerInterfaceIp' " + text +
                             " is outside the L3 network's " + cidr->text());
    }
  }
  auto changed =
      db_.execute("UPDATE l3_network SET routerInterfaceIp = ?, lastOpDate = ? WHERE uuid = ?",
                  {text, nowMillis(), uuid});
  if (!changed) return changed.error();
  return Json::object();
}

Reply L3NetworkService::deleteRow(const std::string& uuid) {
  if (auto s = removeNetworks({uuid}); !s) return s.error();
  logger_.info("l3Network.deleted uuid=" + uuid);
  return Json::object();
}

Status L3NetworkService::removeNetworks(const std::vector<std::string>& uuids) {
  std::vector<std::pair<std::string, std::string>> dhcp;  // told to the hosts once gone
  auto sliced = forEachSlice(uuids, [&](const std::vector<DbValue>& slice) -> Status {
    std::string in = " IN (" + sqlPlaceholders(slice.size()) + ")";
    return db_.transaction([&](Database& tx) -> Status {
      auto served = flatDhcpNetworksAmong(tx, slice);
      if (!served) return served.error();
      dhcp.insert(dhcp.end(), served->begin(), served->end());
      for (const char* sql :
           {"DELETE FROM used_ip WHERE l3NetworkUuid", "DELETE FROM ip_range WHERE l3NetworkUuid",
            "DELETE FROM network_service_l3_ref WHERE l3NetworkUuid",
            "DELETE FROM l3_network WHERE uuid"}) {
        if (auto s = statusOf(tx.execute(sql + in, slice)); !s) return s;
      }
      return {};
    });
  });
  if (!sliced) return sliced;
  for (const auto& uuid : uuids) allocator_.forget(uuid);
  publishFlatDhcpRemoved(bus_, dhcp);
  return {};
}

}  // namespace strato::l3
