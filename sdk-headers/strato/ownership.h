// Resource ownership, sharing, authorization and quotas: the kernel side of multi-tenancy.
//
// Ownership is recorded in the kernel's table account_resource_ref (resourceUuid primary key,
// resourceType "<Inventory>VO", accountUuid, ownerAccountUuid, permission, isShared, createDate,
// lastOpDate): a row is written when a POST API with an ownedByAccount inventory answers
// {"inventory": {"uuid": ...}}, and removed (with the resource's tags) when a DELETE API on
// /.../{uuid} succeeds. Sharing lives in shared_resource (ownerAccountUuid, receiverAccountUuid
// NULL when toPublic, toPublic 0/1, resourceType, resourceUuid, createDate, lastOpDate). The
// identity plugin writes both tables for ShareResource, RevokeResourceSharing and
// ChangeResourceOwner; the kernel reads them to filter queries and to check parameters.
//
// For a non-admin session the REST front end, before any handler runs: refuses adminOnly APIs;
// refuses a request whose parameters name (as a uuid string or list of them) a resource that is
// owned by another account and not shared with the session's account; then asks the ApiAuthorizer
// (if one is registered) whether this session may call this API.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "strato/api.h"
#include "strato/json.h"
#include "strato/result.h"
#include "strato/session.h"

namespace strato {

// Policy decisions beyond ownership (the identity plugin's users, groups and policies).
class ApiAuthorizer {
 public:
  static constexpr std::string_view kExtensionPoint = "strato.ApiAuthorizer";
  virtual ~ApiAuthorizer() = default;
  // Called on HTTP threads for every non-admin call; may block briefly. kPermissionDenied to
  // refuse, with a message naming the API.
  virtual Status authorize(const SessionInfo& session, const ApiDeclaration& api,
                           const Json& params) = 0;
};

struct QuotaDefinition {
  std::string name;  // e.g. "vm.num", "volume.capacity"
  std::int64_t defaultValue = 0;
};

// Implemented by each resource plugin for the quotas it counts.
class QuotaReporter {
 public:
  static constexpr std::string_view kExtensionPoint = "strato.QuotaReporter";
  virtual ~QuotaReporter() = default;
  virtual std::vector<QuotaDefinition> definitions() const = 0;
  // Current usage of the account, by quota name. Blocks on the database.
  virtual Result<std::map<std::string, std::int64_t>> usage(std::string_view accountUuid) = 0;
};

// Implemented by the identity plugin. A resource plugin calls it in its handler before it starts
// the work: kPermissionDenied "quota exceeded: <name> ..." when usage + addition > quota.
class QuotaGuard {
 public:
  static constexpr std::string_view kExtensionPoint = "strato.QuotaGuard";
  virtual ~QuotaGuard() = default;
  virtual Status check(std::string_view accountUuid,
                       const std::map<std::string, std::int64_t>& additions) = 0;
};

}  // namespace strato
