#include "vteps.h"

#include <strato/system_tags.h>
#include <strato/time_format.h>
#include <strato/uuid.h>

#include "agent_client/ipv4.h"

namespace strato::l2 {
namespace {

std::string cidrTagPrefix(const std::string& pool, const std::string& cluster) {
  return "l2NetworkUuid::" + pool + "::clusterUuid::" + cluster + "::cidr::";
}

// Reads, changes and writes back one of the pool's JSON columns. The write says which value it
// replaces and is tried again when another came first: different networks of one pool are
// realized on different hosts at once, and neither may lose the other's VTEP.
template <typename Change>
Status changePoolColumn(Database& db, const std::string& pool, const char* column, Change change) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    auto rows =
        db.query(std::string("SELECT ") + column + " FROM l2_network WHERE uuid = ?", {pool});
    if (!rows) return rows.error();
    if (rows->rows.empty()) return {};  // the pool is gone: nothing to keep
    std::string before = dbText(rows->rows[0][0]);
    Json value = Json::parse(before, nullptr, false);
    if (value.is_discarded()) value = Json();
    change(value);
    auto written = db.execute(std::string("UPDATE l2_network SET ") + column +
                                  " = ? WHERE uuid = ? AND " + column + " = ?",
                              {value.dump(), pool, before});
    if (!written) return written.error();
    if (*written > 0 || value.dump() == before) return {};
  }
  return makeError(ErrorCode::kConflict, std::string("pool ") + pool + "'s " + column +
                                             " kept changing under this update");
}

}  // namespace

Result<std::optional<std::string>> cidrFromTags(const Json& systemTags, const std::string& pool,
                                                const std::string& cluster) {
  if (!systemTags.is_array()) return std::optional<std::string>();
  for (const auto& t : systemTags) {
    if (!t.is_string()) continue;
    std::string tag = t;
    if (tag.rfind("l2NetworkUuid::", 0) != 0) continue;
    std::string prefix = cidrTagPrefix(pool, cluster);
    bool braced = tag.size() > prefix.size() + 2 && tag.back() == '}' && tag[prefix.size()] == '{';
    std::string cidr = braced ? tag.substr(prefix.size() + 1, tag.size() - prefix.size() - 2) : "";
    if (tag.rfind(prefix, 0) != 0 || !braced || !kvm::parseCidr(cidr)) {
      return invalidArgument("systemTags: the VTEP CIDR tag is l2NetworkUuid::" + pool +
                                 "::clusterUuid::" + cluster + "::cidr::{a.b.c.d/n}",
                             tag);
    }
    return std::optional<std::string>(cidr);
  }
  return std::optional<std::string>();
}

Status setPoolCidr(Database& tx, const std::string& pool, const std::string& cluster,
                   const std::string& cidr) {
  if (cidr.empty()) {
    auto gone = tx.execute("DELETE FROM system_tag WHERE resourceUuid = ? AND tag LIKE ?",
                           {pool, cidrTagPrefix(pool, cluster) + "%"});
    if (!gone) return gone.error();
  }
  return changePoolColumn(tx, pool, "attachedCidrs", [&](Json& cidrs) {
    if (!cidrs.is_object()) cidrs = Json::object();
    if (cidr.empty()) {
      cidrs.erase(cluster);
    } else {
      cidrs[cluster] = cidr;
    }
  });
}

Result<TunnelEnds> tunnelEnds(Database& db, const std::string& pool) {
  auto rows =
      db.query("SELECT attachedCidrs, attachedVtepRefs FROM l2_network WHERE uuid = ?", {pool});
  if (!rows) return rows.error();
  TunnelEnds ends;
  if (rows->rows.empty()) return ends;
  Json cidrs = Json::parse(dbText(rows->rows[0][0]), nullptr, false);
  Json vteps = Json::parse(dbText(rows->rows[0][1]), nullptr, false);
  if (cidrs.is_object()) {
    for (const auto& [cluster, cidr] : cidrs.items()) {
      if (cidr.is_string()) ends.cidrs[cluster] = cidr;
    }
  }
  if (vteps.is_array()) {
    for (const auto& v : vteps) ends.vteps[v.value("hostUuid", "")] = v.value("vtepIp", "");
  }
  return ends;
}

Status recordVtep(Database& db, const std::string& pool, const std::string& host,
                  const std::string& ip) {
  return changePoolColumn(db, pool, "attachedVtepRefs", [&](Json& refs) {
    if (!refs.is_array()) refs = Json::array();
    std::string now = formatGsonDate(nowMillis());
    for (auto& r : refs) {
      if (r.value("hostUuid", "") != host) continue;
      if (r.value("vtepIp", "") != ip) {
        r["vtepIp"] = ip;
        r["lastOpDate"] = now;
      }
      return;
    }
    refs.push_back({{"uuid", newUuid()},
                    {"hostUuid", host},
                    {"vtepIp", ip},
                    {"port", kVxlanPort},
                    {"type", "KVM_HOST_VXLAN"},
                    {"poolUuid", pool},
                    {"createDate", now},
                    {"lastOpDate", now}});
  });
}

Status forgetVteps(Database& db, const std::set<std::string>& hosts, const std::string& pool) {
  if (hosts.empty()) return {};
  std::vector<std::string> pools;
  if (!pool.empty()) {
    pools.push_back(pool);
  } else {
    auto rows = db.query(
        "SELECT uuid FROM l2_network WHERE attachedVtepRefs IS NOT NULL AND "
        "attachedVtepRefs <> '[]'");
    if (!rows) return rows.error();
    for (const auto& r : rows->rows) pools.push_back(dbText(r[0]));
  }
  for (const auto& p : pools) {
    auto changed = changePoolColumn(db, p, "attachedVtepRefs", [&](Json& refs) {
      if (!refs.is_array()) return;
      Json kept = Json::array();
      for (auto& r : refs) {
        if (!hosts.count(r.value("hostUuid", ""))) kept.push_back(std::move(r));
      }
      refs = std::move(kept);
    });
    if (!changed) return changed;
  }
  return {};
}

}  // namespace strato::l2
