// System tags as plugins read them. The kernel keeps them in table system_tag; an API that
// creates a resource carries its tags in the call, and they reach the table only once the
// resource exists, so a plugin looking during the creation checks both.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "strato/database.h"
#include "strato/json.h"
#include "strato/result.h"
#include "strato/time_format.h"
#include "strato/uuid.h"

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

// Settings kept as "<key>::<value>" system tags (ZStack's way: "hostname::web1",
// "staticIp::<l3>::<ip>"), so they can be given in a creating call's systemTags and seen with
// QuerySystemTag. The value of the first tag of `key`, or nullopt.
inline Result<std::optional<std::string>> systemTagValue(Database& db,
                                                         const std::string& resourceUuid,
                                                         const std::string& key) {
  auto rows = db.query(
      "SELECT tag FROM system_tag WHERE resourceUuid = ? AND tag LIKE ? ORDER BY createDate",
      {resourceUuid, key + "::%"});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return std::optional<std::string>();
  return std::optional<std::string>(dbText(rows->rows[0][0]).substr(key.size() + 2));
}

// Drops every "<key>::..." tag of the resource.
inline Status removeSystemTags(Database& db, const std::string& resourceUuid,
                               const std::string& key) {
  auto gone = db.execute("DELETE FROM system_tag WHERE resourceUuid = ? AND tag LIKE ?",
                         {resourceUuid, key + "::%"});
  if (!gone) return gone.error();
  return {};
}

// The resource's one "<key>::<value>" tag, replacing any it had.
inline Status setSystemTag(Database& db, const std::string& resourceUuid,
                           const std::string& resourceType, const std::string& key,
                           const std::string& value) {
  if (auto s = removeSystemTags(db, resourceUuid, key); !s) return s;
  auto now = nowMillis();
  auto added = db.execute(
      "INSERT INTO system_tag (uuid, resourceUuid, resourceType, tag, inherent, type, createDate, "
      "lastOpDate) VALUES (?, ?, ?, ?, 0, 'System', ?, ?)",
      {newUuid(), resourceUuid, resourceType, key + "::" + value, now, now});
  if (!added) return added.error();
  return {};
}

}  // namespace strato
