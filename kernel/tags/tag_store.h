// System and user tags (chapter 10 of the ZStack manual): free text attached to a resource,
// stored in the kernel's system_tag and user_tag tables so that any inventory can be queried
// with __systemTag__ / __userTag__ conditions.
#pragma once

#include <string>

#include "strato/database.h"
#include "strato/json.h"

namespace strato::kernel {

enum class TagKind { kSystem, kUser };

// Returns the new tag's inventory.
Result<Json> createTag(Database& db, TagKind kind, const std::string& resourceType,
                       const std::string& resourceUuid, const std::string& tag);
Result<Json> updateTag(Database& db, TagKind kind, const std::string& uuid, const std::string& tag);
// Deletes from either table; kNotFound when neither has it.
Status deleteTag(Database& db, const std::string& uuid);

// The "systemTags" / "userTags" of an API request, attached to the resource it created.
Status attachRequestTags(Database& db, const std::string& resourceType,
                         const std::string& resourceUuid, const Json& params);

}  // namespace strato::kernel
