#include "ip_queries.h"

#include <set>

#include "ip_address.h"
#include "l3_store.h"

namespace strato::l3 {
namespace {

constexpr std::int64_t kDefaultFreeIpLimit = 100;
constexpr std::int64_t kMaxFreeIpLimit = 10000;

}  // namespace

Reply getFreeIp(Database& db, const Json& p) {
  std::string l3Uuid = textParam(p, "l3NetworkUuid");
  std::string rangeUuid = textParam(p, "ipRangeUuid");
  std::vector<RangeRecord> ranges;
  if (!rangeUuid.empty()) {
    auto range = loadRange(db, rangeUuid);
    if (!range) {
      if (range.error().code != ErrorCode::kNotFound) return range.error();
      return invalidArgument("parameter 'ipRangeUuid' names no IP range", rangeUuid);
    }
    if (!l3Uuid.empty() && range->l3NetworkUuid != l3Uuid) {
      return invalidArgument("parameter 'ipRangeUuid' names a range of another L3 network",
                             rangeUuid);
    }
    ranges.push_back(*range);
  } else if (!l3Uuid.empty()) {
    if (auto l3 = loadL3(db, l3Uuid); !l3) return l3.error();
    auto all = loadRanges(db, l3Uuid);
    if (!all) return all.error();
    ranges = *all;
  } else {
    return invalidArgument("give l3NetworkUuid or ipRangeUuid");
  }
  std::int64_t from = 0;
  if (p.contains("start") && !textParam(p, "start").empty()) {
    auto start = parseIpv4(textParam(p, "start"));
    if (!start)
      return invalidArgument("parameter 'start' is not an IPv4 address", textParam(p, "start"));
    from = *start;
  }
  std::int64_t limit = kDefaultFreeIpLimit;
  if (p.contains("limit") && p["limit"].is_number()) {
    limit = static_cast<std::int64_t>(p["limit"].get<double>());
  }
  if (limit < 1 || limit > kMaxFreeIpLimit) {
    return invalidArgument("parameter 'limit' must be between 1 and 10000", std::to_string(limit));
  }
  Json out = Json::array();
  for (const auto& r : ranges) {
    std::int64_t c = std::max(r.startKey, from);
    while (c <= r.endKey && static_cast<std::int64_t>(out.size()) < limit) {
      // A window a little wider than what is still wanted: one query per window, never a scan
      // of the whole range.
      std::int64_t end =
          std::min(r.endKey, c + (limit - static_cast<std::int64_t>(out.size())) + 255);
      auto used = db.query(
          "SELECT ipInLong FROM used_ip WHERE l3NetworkUuid = ? AND ipInLong BETWEEN ? AND ?",
          {r.l3NetworkUuid, c, end});
      if (!used) return used.error();
      std::set<std::int64_t> taken;
      for (const auto& u : used->rows) taken.insert(dbInt(u[0]));
      for (std::int64_t k = c; k <= end && static_cast<std::int64_t>(out.size()) < limit; ++k) {
        if (taken.count(k)) continue;
        out.push_back({{"ipRangeUuid", r.uuid},
                       {"ip", formatIpv4(k)},
                       {"netmask", r.netmask},
                       {"gateway", r.gateway}});
      }
      c = end + 1;
    }
  }
  return Json{{"inventories", out}};
}

Reply checkIpAvailability(Database& db, const Json& p) {
  std::string l3Uuid = textParam(p, "l3NetworkUuid");
  auto ip = parseIpv4(textParam(p, "ip"));
  if (!ip) return invalidArgument("parameter 'ip' is not an IPv4 address", textParam(p, "ip"));
  if (auto l3 = loadL3(db, l3Uuid); !l3) return l3.error();
  auto ranges = loadRanges(db, l3Uuid);
  if (!ranges) return ranges.error();
  auto no = [](std::string reason) { return Json{{"available", false}, {"reason", reason}}; };
  const RangeRecord* in = nullptr;
  for (const auto& r : *ranges) {
    if (parseIpv4(r.gateway) == ip) return no("it is the gateway of the L3 network");
    if (*ip >= r.startKey && *ip <= r.endKey) in = &r;
  }
  if (!in) {
    for (const auto& r : *ranges) {
      auto cidr = parseCidr(r.networkCidr, false);
      if (cidr && (*ip == cidr->first() || *ip == cidr->last())) {
        return no("it is reserved: the network or broadcast address of " + r.networkCidr);
      }
    }
    return no("it is in no IP range of the L3 network");
  }
  auto used = db.query("SELECT usedFor FROM used_ip WHERE l3NetworkUuid = ? AND ipInLong = ?",
                       {l3Uuid, *ip});
  if (!used) return used.error();
  if (!used->rows.empty()) {
    std::string by = dbText(used->rows[0][0]);
    return no("it is used" + (by.empty() ? std::string() : " (" + by + ")"));
  }
  return Json{{"available", true}};
}

Reply getIpAddressCapacity(Database& db, const Json& p) {
  const std::string inZones =
      "l3NetworkUuid IN (SELECT uuid FROM l3_network WHERE zoneUuid IN (%))";
  // The manual also spells the lists zoneUids, l3NetworkUids and ipRangeUids.
  auto chosen = selectedRows(p, {{"zoneUuids", inZones},
                                 {"zoneUids", inZones},
                                 {"l3NetworkUuids", "l3NetworkUuid IN (%)"},
                                 {"l3NetworkUids", "l3NetworkUuid IN (%)"},
                                 {"ipRangeUuids", "uuid IN (%)"},
                                 {"ipRangeUids", "uuid IN (%)"}});
  if (!chosen) return chosen.error();
  auto& [where, binds] = *chosen;
  auto total = db.query(
      "SELECT COALESCE(SUM(endKey - startKey + 1), 0) FROM ip_range WHERE " + where, binds);
  if (!total) return total.error();
  auto used = db.query(
      "SELECT COUNT(*) FROM used_ip WHERE ipRangeUuid IN (SELECT uuid FROM ip_range WHERE " +
          where + ")",
      binds);
  if (!used) return used.error();
  std::int64_t t = dbInt(total->rows[0][0]);
  std::int64_t u = dbInt(used->rows[0][0]);
  return Json{
      {"totalCapacity", t},     {"availableCapacity", t - u},     {"usedIpAddressNumber", u},
      {"ipv4TotalCapacity", t}, {"ipv4AvailableCapacity", t - u}, {"ipv4UsedIpAddressNumber", u},
      {"ipv6TotalCapacity", 0}, {"ipv6AvailableCapacity", 0},     {"ipv6UsedIpAddressNumber", 0}};
}

}  // namespace strato::l3
