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

std::function<Reply(const Json&)> creator(SystemApiServices& s, TagKind kind) {
  return [&s, kind](const Json& body) -> Reply {
    const Json& p = body["params"];
    if (auto c = checkResource(s, p["resourceType"], p["resourceUuid"]); !c) return c.error();
    auto tag = createTag(s.database, kind, p["resourceType"], p["resourceUuid"], p["tag"]);
    if (!tag) return tag.error();
    return Json{{"inventory", *tag}};
  };
}

}  // namespace

Status addTagApis(SystemApiServices& s, const HandlerAdder& add) {
  for (auto [name, inventory] : {std::pair{"QuerySystemTag", "SystemTag"}, std::pair{"QueryUserTag", "UserTag"}}) {
    if (auto r = add(catalogApi(name, inventory), nullptr); !r) return r;
  }
  if (auto r = add(catalogApi("CreateSystemTag"), creator(s, TagKind::kSystem)); !r) return r;
  if (auto r = add(catalogApi("CreateUserTag"), creator(s, TagKind::kUser)); !r) return r;
  if (auto r = add(catalogApi("UpdateSystemTag"), [&s](const Json& body) -> Reply {
        const Json& p = body["params"];
        auto tag = updateTag(s.database, TagKind::kSystem, p["uuid"], p["tag"]);
        if (!tag) return tag.error();
        return Json{{"inventory", *tag}};
      });
      !r) {
    return r;
  }
  return add(catalogApi("DeleteTag"), [&s](const Json& body) -> Reply {
    if (auto d = deleteTag(s.database, body["params"]["uuid"]); !d) return d.error();
    return Json::object();
  });
}

}  // namespace strato::kernel
