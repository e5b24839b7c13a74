// System tags as plugins read them. The kernel keeps them in table system_tag; an API that
// creates a resource carries its tags in the call, and they reach the table only once the
// resource exists, so a plugin looking during the creation checks both.
#pragma once

#include <string>
#include <string_view>

#include "strato/database.h"
#include "strato/json.h"
#include "strato/result.h"

namespace strato {

// Whether `resourceUuid` carries `tag`: in the database, or in `pending["systemTags"]` (where
// the plugins hand a creating call's tags to their drivers; anything else there is ignored).
inline Result<bool> carriesSystemTag(Database& db, const std::string& resourceUuid,
                                     std::string_view tag, const Json& pending = Json()) {
  if (pending.is_object() && pending.contains("systemTags") && pending["systemTags"].is_array()) {
    for (const auto& t : pending["systemTags"]) {
      if (t.is_string() && t.get<std::string>() == tag) return true;
    }
  }
  auto rows = db.query("SELECT 1 FROM system_tag WHERE resourceUuid = ? AND tag = ?",
                       {resourceUuid, std::string(tag)});
  if (!rows) return rows.error();
  return !rows->rows.empty();
}

}  // namespace strato
