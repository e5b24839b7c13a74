// Policies and the ApiAuthorizer built on them.
//
// A policy is a list of statements {"name", "effect": "Allow"|"Deny", "actions": [pattern...]}.
// An action pattern names APIs in any of the forms ZStack policies use:
//   "CreateVmInstance"                          the API name
//   "APICreateVmInstanceMsg"                    ZStack's message class name
//   "org.zstack.header.vm.APICreateVmInstanceMsg"  the same with its package (package ignored)
//   "instance:APICreateVmInstanceMsg"           with a category prefix (ignored for a full name)
//   "*", "Create*", "*Widget", "instance:Create*"   globs: '*' is any run of characters
//   "instance:*"                                every API of a category, see below
// A category names the APIs whose inventory is that resource, written as ZStack does: the
// inventory name with a lowercase first letter ("zone" -> Zone, "l3Network" -> L3Network,
// "testWidget" -> TestWidget), plus ZStack's aliases "instance" (VmInstance) and "identity"
// (accounts, users, groups, policies, quotas, sharing). APIs that declare no inventory belong to
// no category, so "x:*" never grants them; use "*" or name them.
//
// Decision for a user's session (LogInByUser), over the statements of the user's own policies
// and of every group the user is in: a matching Deny wins; reads (GET APIs) are allowed without
// a statement; anything else needs a matching Allow. RenewSession and CheckApiPermission are
// always allowed (a user may keep its session alive and ask what it may do). Account sessions are
// not restricted here: the kernel already confines them to their own resources.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "strato/database.h"
#include "strato/json.h"
#include "strato/ownership.h"
#include "strato/result.h"

namespace strato::identity {

// The API name a pattern or a client-supplied API name stands for ("APIFooMsg" -> "Foo").
std::string normalizeApiName(std::string_view name);

// Whether `pattern` covers the API `apiName` whose inventory is `inventory` (may be empty).
bool actionMatches(std::string_view pattern, std::string_view apiName, std::string_view inventory);

// Checks statements sent to CreatePolicy and returns them in stored form (a name is generated
// for a statement without one). kInvalidArgument naming the first problem.
Result<Json> normalizeStatements(const Json& statements);

enum class Decision { kAllow, kDeny };

// The decision for a user: see the header comment. `read` = a GET API.
Result<Decision> decideForUser(Database& db, const std::string& userUuid, std::string_view apiName,
                               std::string_view inventory, bool read);

// The inventory an API name stands for, for CheckApiPermission, which gets bare API names: known
// for the identity plugin's own APIs, guessed for others by dropping the verb
// ("CreateVmInstance" -> "VmInstance").
std::string identityInventoryOf(std::string_view apiName);

class PolicyAuthorizer final : public ApiAuthorizer {
 public:
  explicit PolicyAuthorizer(Database& db) : db_(db) {}
  Status authorize(const SessionInfo& session, const ApiDeclaration& api,
                   const Json& params) override;

 private:
  Database& db_;
};

}  // namespace strato::identity
