#include "ip_ranges.h"

#include "ip_address.h"
#include "l3_store.h"

namespace strato::l3 {
namespace {

struct RangeSpec {
  std::int64_t start = 0;
  std::int64_t end = 0;
  std::int64_t netmask = 0;
  std::int64_t gateway = 0;
  int prefix = 0;
};

Result<std::int64_t> ipParam(const Json& p, const char* name) {
  auto ip = parseIpv4(textParam(p, name));
  if (!ip)
    return invalidArgument(std::string("parameter '") + name + "' is not an IPv4 address",
                           textParam(p, name));
  return *ip;
}

std::string span(std::int64_t a, std::int64_t b) { return formatIpv4(a) + "-" + formatIpv4(b); }

Status check(Database& tx, const std::string& l3Uuid, const RangeSpec& s) {
  std::int64_t network = s.gateway & s.netmask;
  std::int64_t broadcast = network | (~s.netmask & 0xffffffffLL);
  std::string cidr = formatIpv4(network) + "/" + std::to_string(s.prefix);
  if (s.start > s.end) {
    return invalidArgument("parameter 'startIp' must not be above 'endIp'", span(s.start, s.end));
  }
  if ((s.start & s.netmask) != network) {
    return invalidArgument("parameter 'startIp' " + formatIpv4(s.start) + " is outside " + cidr +
                           ", the network of the gateway");
  }
  if ((s.end & s.netmask) != network) {
    return invalidArgument("parameter 'endIp' " + formatIpv4(s.end) + " is outside " + cidr +
                           ", the network of the gateway");
  }
  if (s.gateway >= s.start && s.gateway <= s.end) {
    return invalidArgument("parameter 'gateway' " + formatIpv4(s.gateway) +
                           " must be outside the range " + span(s.start, s.end));
  }
  if (s.start == network) {
    return invalidArgument("parameter 'startIp' " + formatIpv4(s.start) +
                           " is the network address of " + cidr);
  }
  if (s.end == broadcast) {
    return invalidArgument("parameter 'endIp' " + formatIpv4(s.end) +
                           " is the broadcast address of " + cidr);
  }
  auto l3 = loadL3(tx, l3Uuid);
  if (!l3) {
    if (l3.error().code != ErrorCode::kNotFound) return l3.error();
    return invalidArgument("parameter 'l3NetworkUuid' names no L3 network", l3Uuid);
  }
  auto mine = loadRanges(tx, l3Uuid);
  if (!mine) return mine.error();
  for (const auto& r : *mine) {
    if (r.netmask != formatIpv4(s.netmask)) {
      return invalidArgument("parameter 'netmask' must be " + r.netmask +
                             ", the netmask of the L3 network's other ranges");
    }
    if (r.gateway != formatIpv4(s.gateway)) {
      return invalidArgument("parameter 'gateway' must be " + r.gateway +
                             ", the gateway of the L3 network's other ranges");
    }
  }
  // Ranges of every L3 on the same L2 share one broadcast domain: none may overlap.
  auto overlap = tx.query(
      "SELECT r.uuid, r.startIp, r.endIp, r.l3NetworkUuid FROM ip_range r JOIN l3_network n ON "
      "n.uuid = r.l3NetworkUuid WHERE n.l2NetworkUuid = ? AND r.ipVersion = 4 AND "
      "r.startKey <= ? AND r.endKey >= ?",
      {l3->l2NetworkUuid, s.end, s.start});
  if (!overlap) return overlap.error();
  if (!overlap->rows.empty()) {
    const auto& o = overlap->rows[0];
    return invalidArgument("IP range " + span(s.start, s.end) + " overlaps IP range " +
                           dbText(o[0]) + " (" + dbText(o[1]) + "-" + dbText(o[2]) +
                           ") of L3 network " + dbText(o[3]));
  }
  return {};
}

Reply insertRange(Database& db, const Json& p, const RangeSpec& s) {
  std::string l3Uuid = textParam(p, "l3NetworkUuid");
  std::string uuid = textParam(p, "resourceUuid");
  if (uuid.empty()) uuid = newUuid();
  if (!isUuid(uuid)) return invalidArgument("parameter 'resourceUuid' must be 32 hex digits", uuid);
  DbValue description;
  if (p.contains("description") && p["description"].is_string())
    description = p["description"].get<std::string>();
  std::string cidr = formatIpv4(s.gateway & s.netmask) + "/" + std::to_string(s.prefix);
  auto now = nowMillis();
  auto stored = db.transaction([&](Database& tx) -> Status {
    if (auto ok = check(tx, l3Uuid, s); !ok) return ok;
    auto inserted = tx.execute(
        "INSERT INTO ip_range (uuid, l3NetworkUuid, name, description, startIp, endIp, netmask, "
        "gateway, networkCidr, ipVersion, prefixLen, startKey, endKey, createDate, lastOpDate) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 4, ?, ?, ?, ?, ?)",
        {uuid, l3Uuid, textParam(p, "name"), description, formatIpv4(s.start), formatIpv4(s.end),
         formatIpv4(s.netmask), formatIpv4(s.gateway), cidr, std::int64_t{s.prefix}, s.start, s.end,
         now, now});
    if (!inserted) {
      return makeError(ErrorCode::kAlreadyExists, "a resource with uuid " + uuid + " exists",
                       inserted.error().details);
    }
    return refreshRanges(tx, l3Uuid);
  });
  if (!stored) return stored.error();
  auto inventory = loadRangeInventory(db, uuid);
  if (!inventory) return inventory.error();
  return Json{{"inventory", *inventory}};
}

}  // namespace

Reply addIpRange(Database& db, const Json& p) {
  RangeSpec s;
  for (auto [name, field] : {std::pair{"startIp", &s.start}, std::pair{"endIp", &s.end},
                             std::pair{"netmask", &s.netmask}, std::pair{"gateway", &s.gateway}}) {
    auto ip = ipParam(p, name);
    if (!ip) return ip.error();
    *field = *ip;
  }
  auto prefix = prefixOfNetmask(s.netmask);
  if (!prefix || *prefix < 1 || *prefix > 30) {
    return invalidArgument("parameter 'netmask' must be a contiguous netmask from /1 to /30",
                           textParam(p, "netmask"));
  }
  s.prefix = *prefix;
  return insertRange(db, p, s);
}

Reply addIpRangeByNetworkCidr(Database& db, const Json& p) {
  auto cidr = parseCidr(textParam(p, "networkCidr"), true);
  if (!cidr) {
    return invalidArgument(
        "parameter 'networkCidr' must be a network address and prefix length, e.g. "
        "192.168.10.0/24",
        textParam(p, "networkCidr"));
  }
  if (cidr->prefix < 1 || cidr->prefix > 30) {
    return invalidArgument("parameter 'networkCidr' needs a prefix length from /1 to /30",
                           textParam(p, "networkCidr"));
  }
  RangeSpec s{cidr->first() + 2, cidr->last() - 1, netmaskOfPrefix(cidr->prefix), cidr->first() + 1,
              cidr->prefix};
  return insertRange(db, p, s);
}

Reply updateIpRange(Database& db, const Json& p) {
  std::string uuid = p["uuid"];
  auto range = loadRange(db, uuid);
  if (!range) return range.error();
  auto done = db.transaction([&](Database& tx) -> Status {
    for (const char* field : {"name", "description"}) {
      if (!p.contains(field)) continue;
      auto changed = tx.execute(
          std::string("UPDATE ip_range SET ") + field + " = ?, lastOpDate = ? WHERE uuid = ?",
          {p[field].get<std::string>(), nowMillis(), uuid});
      if (!changed) return changed.error();
    }
    return refreshRanges(tx, range->l3NetworkUuid);
  });
  if (!done) return done.error();
  auto inventory = loadRangeInventory(db, uuid);
  if (!inventory) return inventory.error();
  return Json{{"inventory", *inventory}};
}

Status removeRanges(Database& db, const std::vector<std::string>& uuids) {
  return forEachSlice(uuids, [&](const std::vector<DbValue>& slice) -> Status {
    std::string in = " IN (" + sqlPlaceholders(slice.size()) + ")";
    return db.transaction([&](Database& tx) -> Status {
      auto l3s = tx.query("SELECT DISTINCT l3NetworkUuid FROM ip_range WHERE uuid" + in, slice);
      if (!l3s) return l3s.error();
      for (const char* sql :
           {"DELETE FROM used_ip WHERE ipRangeUuid", "DELETE FROM ip_range WHERE uuid"}) {
        if (auto s = statusOf(tx.execute(sql + in, slice)); !s) return s;
      }
      for (const auto& l3 : l3s->rows) {
        if (auto s = refreshRanges(tx, dbText(l3[0])); !s) return s;
      }
      return {};
    });
  });
}

}  // namespace strato::l3
