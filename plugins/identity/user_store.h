// Users, user groups and policies: rows of identity_user, user_group and identity_policy, each
// belonging to one account, and the inventories ZStack clients read. Blocking pool only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strato/database.h"
#include "strato/json.h"
#include "strato/result.h"

namespace strato::identity {

struct User {
  std::string uuid;
  std::string accountUuid;
  std::string name;
  std::string passwordHash;
  std::string passwordSalt;
  std::string state;
  std::string description;
  std::int64_t createDate = 0;
  std::int64_t lastOpDate = 0;

  Json inventory() const;  // ZStack's UserInventory, without the password
};

Result<std::optional<User>> findUser(Database& db, std::string_view uuid);
// Exact, case-sensitive name within the account.
Result<std::optional<User>> findUserByName(Database& db, std::string_view accountUuid,
                                           std::string_view name);

// A group or a policy: the columns they share, plus a policy's statements.
struct IdentityObject {
  std::string uuid;
  std::string accountUuid;
  std::string name;
  std::string description;
  std::int64_t createDate = 0;
  std::int64_t lastOpDate = 0;
  Json statements;  // policies only

  Json groupInventory() const;   // UserGroupInventory
  Json policyInventory() const;  // PolicyInventory
};

Result<std::optional<IdentityObject>> findGroup(Database& db, std::string_view uuid);
Result<std::optional<IdentityObject>> findPolicy(Database& db, std::string_view uuid);

// kNotFound "no <what> <uuid>" when absent, kPermissionDenied when it belongs to an account the
// caller may not act on (admins act on all).
template <class T>
Result<T> visibleTo(Result<std::optional<T>> found, const char* what, std::string_view uuid,
                    const std::string& callerAccount, bool admin) {
  if (!found) return found.error();
  if (!*found) {
    return makeError(ErrorCode::kNotFound, std::string("no ") + what + " " + std::string(uuid));
  }
  if (!admin && (*found)->accountUuid != callerAccount) {
    return makeError(ErrorCode::kPermissionDenied,
                     std::string(what) + " " + std::string(uuid) + " belongs to another account");
  }
  return std::move(**found);
}

}  // namespace strato::identity
