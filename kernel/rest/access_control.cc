#include "rest/access_control.h"

#include <map>
#include <set>

#include "query/inventory_catalog.h"
#include "strato/ownership.h"
#include "strato/time_format.h"
#include "strato/uuid.h"

namespace strato::kernel {
namespace {

bool isAdmin(const std::optional<SessionInfo>& session) { return !session || session->admin; }

// Every uuid-shaped string among the parameters (directly or in a list), by parameter name.
std::multimap<std::string, std::string> uuidsIn(const Json& params) {
  std::multimap<std::string, std::string> out;
  for (const auto& [name, value] : params.items()) {
    if (name == "systemTags" || name == "userTags") continue;
    if (value.is_string() && isUuid(value.get_ref<const std::string&>())) out.emplace(name, value);
    if (value.is_array()) {
      for (const auto& item : value) {
        if (item.is_string() && isUuid(item.get_ref<const std::string&>())) out.emplace(name, item);
      }
    }
  }
  return out;
}

}  // namespace

Status AccessControl::authorize(const std::optional<SessionInfo>& session,
                                const ApiDeclaration& api, const Json& params) const {
  if (isAdmin(session)) return {};
  if (api.adminOnly) {
    return makeError(ErrorCode::kPermissionDenied, api.name + " is for admins only");
  }
  if (auto s = checkOwnership(*session, params); !s) return s;
  for (const auto& authorizer : extensions_.all<ApiAuthorizer>()) {
    if (auto s = authorizer->authorize(*session, api, params); !s) return s;
  }
  return {};
}

Status AccessControl::checkOwnership(const SessionInfo& session, const Json& params) const {
  auto named = uuidsIn(params);
  if (named.empty()) return {};
  std::vector<DbValue> uuids;
  std::set<std::string> distinct;
  for (const auto& [name, uuid] : named) {
    if (distinct.insert(uuid).second) uuids.emplace_back(uuid);
  }
  auto owners = db_.query(
      "SELECT resourceUuid, accountUuid FROM account_resource_ref WHERE resourceUuid IN (" +
          sqlPlaceholders(uuids.size()) + ")",
      uuids);
  if (!owners) return owners.error();
  std::set<std::string> foreign;
  for (const auto& row : owners->rows) {
    if (std::get<std::string>(row[1]) != session.accountUuid)
      foreign.insert(std::get<std::string>(row[0]));
  }
  if (foreign.empty()) return {};
  // The target of a call must be one's own; what it refers to may also be shared with one.
  for (const auto& [name, uuid] : named) {
    if (name == "uuid" && foreign.count(uuid)) {
      return makeError(ErrorCode::kPermissionDenied,
                       "resource " + uuid + " belongs to another account");
    }
  }
  std::vector<DbValue> values(foreign.begin(), foreign.end());
  values.emplace_back(session.accountUuid);
  auto shared = db_.query(
      "SELECT DISTINCT resourceUuid FROM shared_resource WHERE resourceUuid IN (" +
          sqlPlaceholders(foreign.size()) + ") AND (toPublic = 1 OR receiverAccountUuid = ?)",
      values);
  if (!shared) return shared.error();
  for (const auto& row : shared->rows) foreign.erase(std::get<std::string>(row[0]));
  if (!foreign.empty()) {
    return makeError(ErrorCode::kPermissionDenied,
                     "resource " + *foreign.begin() +
                         " belongs to another account and is not shared with yours");
  }
  return {};
}

std::optional<QueryScope> AccessControl::scopeFor(const std::optional<SessionInfo>& session) const {
  if (isAdmin(session)) return std::nullopt;
  return QueryScope{session->accountUuid};
}

Status AccessControl::recordOutcome(const std::optional<SessionInfo>& session,
                                    const ApiDeclaration& api, const Json& params,
                                    const Json& reply) const {
  const InventorySchema* schema =
      api.inventory.empty() ? nullptr : inventories_.find(api.inventory);
  if (!schema) return {};
  if (api.method == HttpMethod::kDelete) {
    auto uuid = params.find("uuid");
    if (uuid == params.end() || !uuid->is_string()) return {};
    // A resource only marked deleted (an image or volume under a Delay policy) keeps its row,
    // and with it its owner and tags until it is expunged (see kForgetResourcesMessage).
    auto kept =
        db_.query("SELECT 1 FROM " + schema->table + " WHERE uuid = ?", {uuid->get<std::string>()});
    if (!kept) return kept.error();
    if (!kept->rows.empty()) return {};
    return forgetResources(db_, {uuid->get<std::string>()});
  }
  if (api.method != HttpMethod::kPost || !schema->ownedByAccount || !session) return {};
  auto inventory = reply.find("inventory");
  if (inventory == reply.end() || !inventory->is_object() || !inventory->contains("uuid"))
    return {};
  return recordOwner(db_, inventory->value("uuid", ""), schema->name + "VO",
                     session->accountUuid);
}

Status recordOwner(Database& db, const std::string& resourceUuid, const std::string& resourceType,
                   const std::string& accountUuid) {
  auto known = db.query("SELECT 1 FROM account_resource_ref WHERE resourceUuid = ?", {resourceUuid});
  if (!known) return known.error();
  if (!known->rows.empty()) return {};
  auto now = nowMillis();
  auto inserted = db.execute(
      "INSERT INTO account_resource_ref (resourceUuid, resourceType, accountUuid, "
      "ownerAccountUuid, createDate, lastOpDate) VALUES (?, ?, ?, ?, ?, ?)",
      {resourceUuid, resourceType, accountUuid, accountUuid, now, now});
  if (!inserted) return inserted.error();
  return {};
}

Status forgetResources(Database& db, const std::vector<std::string>& uuids) {
  return forEachSlice(uuids, [&db](const std::vector<DbValue>& slice) -> Status {
    for (const char* table :
         {"account_resource_ref", "shared_resource", "system_tag", "user_tag"}) {
      auto done = db.execute(std::string("DELETE FROM ") + table + " WHERE resourceUuid IN (" +
                                 sqlPlaceholders(slice.size()) + ")",
                             slice);
      if (!done) return done.error();
    }
    return {};
  });
}

}  // namespace strato::kernel
