#include "tags/tag_store.h"

#include "strato/time_format.h"
#include "strato/uuid.h"

namespace strato::kernel {
namespace {

const char* tableOf(TagKind kind) { return kind == TagKind::kSystem ? "system_tag" : "user_tag"; }

Status checkTag(const std::string& tag) {
  if (tag.empty()) return makeError(ErrorCode::kInvalidArgument, "a tag must not be empty");
  // MariaDB's TEXT: a userdata:: tag holds a VM's cloud-config, base64.
  if (tag.size() > 65535)
    return makeError(ErrorCode::kInvalidArgument, "a tag is at most 65,535 bytes");
  return {};
}

Result<Json> loadTag(Database& db, TagKind kind, const std::string& uuid) {
  std::string sql =
      std::string("SELECT uuid, resourceUuid, resourceType, tag, type, createDate, lastOpDate") +
      (kind == TagKind::kSystem ? ", inherent" : "") + " FROM " + tableOf(kind) + " WHERE uuid = ?";
  auto rows = db.query(sql, {uuid});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return makeError(ErrorCode::kNotFound, "no tag " + uuid);
  const auto& r = rows->rows.front();
  Json tag{{"uuid", std::get<std::string>(r[0])},
           {"resourceUuid", std::get<std::string>(r[1])},
           {"resourceType", std::get<std::string>(r[2])},
           {"tag", std::get<std::string>(r[3])},
           {"type", std::get<std::string>(r[4])},
           {"createDate", formatGsonDate(std::get<std::int64_t>(r[5]))},
           {"lastOpDate", formatGsonDate(std::get<std::int64_t>(r[6]))}};
  if (kind == TagKind::kSystem) tag["inherent"] = std::get<std::int64_t>(r[7]) != 0;
  return tag;
}

}  // namespace

Result<Json> createTag(Database& db, TagKind kind, const std::string& resourceType,
                       const std::string& resourceUuid, const std::string& tag) {
  if (auto s = checkTag(tag); !s) return s.error();
  std::string uuid = newUuid();
  auto now = nowMillis();
  auto inserted = db.execute(std::string("INSERT INTO ") + tableOf(kind) +
                                 " (uuid, resourceUuid, resourceType, tag, createDate, lastOpDate) "
                                 "VALUES (?, ?, ?, ?, ?, ?)",
                             {uuid, resourceUuid, resourceType, tag, now, now});
  if (!inserted) return inserted.error();
  return loadTag(db, kind, uuid);
}

Result<Json> updateTag(Database& db, TagKind kind, const std::string& uuid,
                       const std::string& tag) {
  if (auto s = checkTag(tag); !s) return s.error();
  auto changed = db.execute(
      std::string("UPDATE ") + tableOf(kind) + " SET tag = ?, lastOpDate = ? WHERE uuid = ?",
      {tag, nowMillis(), uuid});
  if (!changed) return changed.error();
  if (*changed == 0) return makeError(ErrorCode::kNotFound, "no tag " + uuid);
  return loadTag(db, kind, uuid);
}

Status deleteTag(Database& db, const std::string& uuid) {
  std::uint64_t deleted = 0;
  for (auto kind : {TagKind::kSystem, TagKind::kUser}) {
    auto changed =
        db.execute(std::string("DELETE FROM ") + tableOf(kind) + " WHERE uuid = ?", {uuid});
    if (!changed) return changed.error();
    deleted += *changed;
  }
  if (deleted == 0) return makeError(ErrorCode::kNotFound, "no tag " + uuid);
  return {};
}

Status attachRequestTags(Database& db, const std::string& resourceType,
                         const std::string& resourceUuid, const Json& params) {
  for (auto [key, kind] :
       {std::pair{"systemTags", TagKind::kSystem}, std::pair{"userTags", TagKind::kUser}}) {
    auto tags = params.find(key);
    if (tags == params.end() || !tags->is_array()) continue;
    for (const auto& tag : *tags) {
      if (!tag.is_string()) continue;
      auto created = createTag(db, kind, resourceType, resourceUuid, tag.get<std::string>());
      if (!created) return created.error();
    }
  }
  return {};
}

}  // namespace strato::kernel
