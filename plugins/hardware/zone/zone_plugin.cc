// Zones (section 4.1 of the ZStack manual): the top of the hardware tree. Clusters, storage and
// networks hang below a zone; deleting one cascades once those plugins exist.
#include <strato/sdk.h>

namespace {

using strato::ErrorCode;
using strato::Json;
using strato::makeError;
using strato::Message;
using strato::Reply;

constexpr const char* kColumns = "uuid, name, description, state, type, createDate, lastOpDate";

Reply loadZone(strato::Database& db, const std::string& uuid) {
  auto rows = db.query(std::string("SELECT ") + kColumns + " FROM zone WHERE uuid = ?", {uuid});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return makeError(ErrorCode::kNotFound, "no zone " + uuid);
  const auto& r = rows->rows.front();
  auto text = [&](int i) {
    return std::holds_alternative<std::string>(r[i]) ? std::get<std::string>(r[i]) : "";
  };
  Json zone{{"uuid", text(0)},
            {"name", text(1)},
            {"state", text(3)},
            {"type", text(4)},
            {"createDate", strato::formatGsonDate(std::get<std::int64_t>(r[5]))},
            {"lastOpDate", strato::formatGsonDate(std::get<std::int64_t>(r[6]))}};
  if (!std::holds_alternative<std::monostate>(r[2])) zone["description"] = text(2);
  return Json{{"inventory", zone}};
}

Reply createZone(strato::Database& db, const Json& params) {
  std::string uuid = params.value("resourceUuid", strato::newUuid());
  if (!strato::isUuid(uuid))
    return makeError(ErrorCode::kInvalidArgument, "resourceUuid must be 32 hex digits");
  auto now = strato::nowMillis();
  strato::DbValue description;
  if (params.contains("description")) description = params["description"].get<std::string>();
  auto inserted = db.execute(std::string("INSERT INTO zone (") + kColumns +
                                 ") VALUES (?, ?, ?, 'Enabled', 'zstack', ?, ?)",
                             {uuid, params["name"].get<std::string>(), description, now, now});
  if (!inserted) {
    auto existing = db.query("SELECT 1 FROM zone WHERE uuid = ?", {uuid});
    if (existing && !existing->rows.empty()) {
      return makeError(ErrorCode::kAlreadyExists, "a resource with uuid " + uuid + " exists");
    }
    return inserted.error();
  }
  return loadZone(db, uuid);
}

Reply updateZone(strato::Database& db, const Json& params) {
  std::string uuid = params["uuid"];
  for (const char* field : {"name", "description"}) {
    if (!params.contains(field)) continue;
    auto changed =
        db.execute(std::string("UPDATE zone SET ") + field + " = ?, lastOpDate = ? WHERE uuid = ?",
                   {params[field].get<std::string>(), strato::nowMillis(), uuid});
    if (!changed) return changed.error();
  }
  return loadZone(db, uuid);
}

Reply changeZoneState(strato::Database& db, const Json& params) {
  std::string state = params["stateEvent"] == "enable" ? "Enabled" : "Disabled";
  auto changed = db.execute("UPDATE zone SET state = ?, lastOpDate = ? WHERE uuid = ?",
                            {state, strato::nowMillis(), params["uuid"].get<std::string>()});
  if (!changed) return changed.error();
  return loadZone(db, params["uuid"]);
}

// Deleting what does not exist succeeds: the caller wanted it gone, and it is.
Reply deleteZoneRow(strato::Database& db, const std::string& uuid) {
  auto deleted = db.execute("DELETE FROM zone WHERE uuid = ?", {uuid});
  if (!deleted) return deleted.error();
  return Json::object();
}

strato::Status init(strato::Registrar& r) {
  r.addMigrations({{1,
                    "zones",
                    {"CREATE TABLE zone (uuid VARCHAR(32) PRIMARY KEY, name VARCHAR(255) NOT NULL, "
                     "description TEXT, state VARCHAR(32) NOT NULL, type VARCHAR(32) NOT NULL, "
                     "createDate BIGINT NOT NULL, lastOpDate BIGINT NOT NULL)",
                     "CREATE INDEX zone_name ON zone (name)"}}});
  using strato::FieldType;
  r.addInventory({"Zone",
                  "zone",
                  "org.zstack.header.zone.ZoneInventory",
                  {{"uuid"},
                   {"name"},
                   {"description"},
                   {"state"},
                   {"type"},
                   {"createDate", FieldType::kDate},
                   {"lastOpDate", FieldType::kDate}},
                  {}});

  strato::ApiDeclaration query;
  query.name = "QueryZone";
  query.inventory = "Zone";
  r.addApi(query);

  auto& db = r.database();
  auto& bus = r.bus();
  auto serve = [&](const char* api, Reply (*work)(strato::Database&, const Json&)) {
    strato::ApiDeclaration decl;
    decl.name = api;
    decl.messageType = std::string("zone.") + api;
    decl.inventory = "Zone";
    decl.adminOnly = true;  // hardware belongs to the cloud's operator
    r.addApi(decl);
    r.handle(decl.messageType, strato::blockingHandler(bus, [&db, work](const Message& m) {
               return work(db, m.body["params"]);
             }));
  };
  serve("CreateZone", createZone);
  serve("UpdateZone", updateZone);
  serve("ChangeZoneState", changeZoneState);

  strato::ApiDeclaration remove;
  remove.name = "DeleteZone";
  remove.messageType = "zone.DeleteZone";
  remove.inventory = "Zone";
  remove.adminOnly = true;
  r.addApi(remove);
  // Everything below the zone goes first (clusters, hosts, storage, ...: whatever plugins declare
  // as CascadeNodes under ZoneVO); the zone row only once that succeeded.
  r.handle(remove.messageType, [&bus, &db](Message m, strato::Replier reply) {
    const Json& p = m.body["params"];
    std::string uuid = p["uuid"];
    strato::deleteWithCascade(
        bus, "ZoneVO", uuid, p.value("deleteMode", "Permissive"),
        [&db, uuid] { return deleteZoneRow(db, uuid); }, std::move(reply));
  });
  return {};
}

}  // namespace

STRATO_PLUGIN("zone", "0.1.0", init)
