// Who may call what, and who owns what (see strato/ownership.h): checks a session against an API
// and its parameters before the handler runs, records the owner of what a POST API created, and
// forgets a resource's ownership, shares and tags once a DELETE API removed it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "query/query_request.h"
#include "strato/api.h"
#include "strato/database.h"
#include "strato/extension.h"
#include "strato/json.h"
#include "strato/session.h"

namespace strato::kernel {

class InventoryCatalog;

// Records `accountUuid` as the owner of a resource, unless it has an owner already.
Status recordOwner(Database& db, const std::string& resourceUuid, const std::string& resourceType,
                   const std::string& accountUuid);
// Forgets the resources' ownership, shares and tags.
Status forgetResources(Database& db, const std::vector<std::string>& uuids);

class AccessControl {
 public:
  AccessControl(Database& db, const ExtensionLookup& extensions,
                const InventoryCatalog& inventories)
      : db_(db), extensions_(extensions), inventories_(inventories) {}

  // Admins and session-less APIs pass. Others: adminOnly APIs are refused; every uuid in the
  // parameters that names another account's resource must be shared with this account, and the
  // target of the call (parameter "uuid") must be this account's own; then the ApiAuthorizer.
  Status authorize(const std::optional<SessionInfo>& session, const ApiDeclaration& api,
                   const Json& params) const;

  // Query scope of a session: none for admins.
  std::optional<QueryScope> scopeFor(const std::optional<SessionInfo>& session) const;

  // After a successful call: the owner of a created resource, or the traces of a deleted one.
  Status recordOutcome(const std::optional<SessionInfo>& session, const ApiDeclaration& api,
                       const Json& params, const Json& reply) const;

 private:
  Status checkOwnership(const SessionInfo& session, const Json& params) const;

  Database& db_;
  const ExtensionLookup& extensions_;
  const InventoryCatalog& inventories_;
};

}  // namespace strato::kernel
