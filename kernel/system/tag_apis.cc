// System and user tags.
#include "query/inventory_catalog.h"
#include "system/system_apis.h"
#include "tags/tag_store.h"

namespace strato::kernel {
namespace {

// A tag may only be put on a resource that exists, found through its inventory's table.
Status checkResource(SystemApiServices& s, const std::string& type, const std::string& uuid) {
  const InventorySchema* schema = s.inventories.findByResourceType(type);
  if (!schema || !findField(*schema, "uuid")) {
    return makeError(ErrorCode::kInvalidArgument, "unknown resourceType '" + type + "'",
                     "use the inventory name followed by VO, e.g. ZoneVO");
  }
  auto rows = s.database.query("SELECT 1 FROM " + schema->table + " WHERE uuid = ?", {uuid});
  if (!rows) return rows.error();
  if (rows->rows.empty()) {
    return makeError(ErrorCode::kNotFound, "no " + schema->name + " with uuid " + uuid);
  }
  return {};
}

// A normal account tags and untags only resources it owns; everything else is the admin's.
Status checkTagger(SystemApiServices& s, const Json& session, const std::string& resourceUuid) {
  if (!session.is_object() || session.value("admin", false)) return {};
  auto owner = s.database.query(
      "SELECT accountUuid FROM account_resource_ref WHERE resourceUuid = ?", {resourceUuid});
  if (!owner) return owner.error();
  if (owner->rows.empty() ||
      std::get<std::string>(owner->rows[0][0]) != session.value("accountUuid", "")) {
    return makeError(ErrorCode::kPermissionDenied,
                     "only the owner of " + resourceUuid + " may change its tags");
  }
  return {};
}

std::function<Reply(const Json&)> creator(SystemApiServices& s, TagKind kind) {
  return [&s, kind](const Json& body) -> Reply {
    const Json& p = body["params"];
    if (auto c = checkResource(s, p["resourceType"], p["resourceUuid"]); !c) return c.error();
    if (auto c = checkTagger(s, body["session"], p["resourceUuid"]); !c) return c.error();
    auto tag = createTag(s.database, kind, p["resourceType"], p["resourceUuid"], p["tag"]);
    if (!tag) return tag.error();
    return Json{{"inventory", *tag}};
  };
}

}  // namespace

Status addTagApis(SystemApiServices& s, const HandlerAdder& add) {
  for (auto [name, inventory] :
       {std::pair{"QuerySystemTag", "SystemTag"}, std::pair{"QueryUserTag", "UserTag"}}) {
    if (auto r = add(catalogApi(name, inventory), nullptr); !r) return r;
  }
  // System tags steer the platform (host reservations, allocation hints): admins only.
  auto createSystem = catalogApi("CreateSystemTag");
  createSystem.adminOnly = true;
  if (auto r = add(createSystem, creator(s, TagKind::kSystem)); !r) return r;
  if (auto r = add(catalogApi("CreateUserTag"), creator(s, TagKind::kUser)); !r) return r;
  auto updateSystem = catalogApi("UpdateSystemTag");
  updateSystem.adminOnly = true;
  if (auto r = add(updateSystem,
                   [&s](const Json& body) -> Reply {
                     const Json& p = body["params"];
                     auto tag = updateTag(s.database, TagKind::kSystem, p["uuid"], p["tag"]);
                     if (!tag) return tag.error();
                     return Json{{"inventory", *tag}};
                   });
      !r) {
    return r;
  }
  return add(catalogApi("DeleteTag"), [&s](const Json& body) -> Reply {
    std::string uuid = body["params"]["uuid"];
    auto resource = s.database.query(
        "SELECT resourceUuid FROM system_tag WHERE uuid = ? UNION SELECT resourceUuid FROM "
        "user_tag WHERE uuid = ?",
        {uuid, uuid});
    if (!resource) return resource.error();
    if (resource->rows.empty()) return makeError(ErrorCode::kNotFound, "no tag " + uuid);
    if (auto c = checkTagger(s, body["session"], std::get<std::string>(resource->rows[0][0])); !c)
      return c.error();
    if (auto d = deleteTag(s.database, uuid); !d) return d.error();
    return Json::object();
  });
}

}  // namespace strato::kernel
