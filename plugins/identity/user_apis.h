// Users and user groups: CreateUser, DeleteUser, UpdateUser, QueryUser, CreateUserGroup,
// DeleteUserGroup, UpdateUserGroup, QueryUserGroup, AddUserToGroup, RemoveUserFromGroup.
// Everything is inside the caller's account; admins may act on any account's.
#pragma once

#include <memory>
#include <string>

#include "identity_context.h"
#include "strato/registrar.h"

namespace strato::identity {

void registerUserApis(Registrar& r, const std::shared_ptr<IdentityContext>& ctx);

// Shared with the policy APIs: a row in a two-column link table, added once / removed.
Status link(Database& db, const char* table, const char* columnA, const std::string& a,
            const char* columnB, const std::string& b);
Status unlink(Database& db, const char* table, const char* columnA, const std::string& a,
              const char* columnB, const std::string& b);

}  // namespace strato::identity
