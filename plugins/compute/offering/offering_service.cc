#include "offering_service.h"

#include <strato/handler_util.h>

#include <variant>

namespace strato::offering {
namespace {

// ZStack's limits on the text fields (APIParam maxLength).
constexpr std::size_t kMaxName = 255;
constexpr std::size_t kMaxDescription = 2048;

// The kernel refuses a missing or empty name on create; an update may not empty it either.
Status checkText(const Json& params) {
  if (params.contains("name")) {
    std::string name = textParam(params, "name");
    if (name.empty()) return invalidArgument("parameter 'name' must not be empty");
    if (name.size() > kMaxName) {
      return invalidArgument("parameter 'name' is longer than 255 characters",
                             std::to_string(name.size()) + " characters");
    }
  }
  if (textParam(params, "description").size() > kMaxDescription) {
    return invalidArgument("parameter 'description' is longer than 2048 characters");
  }
  return {};
}

Json renderCell(FieldType type, const DbValue& v) {
  switch (type) {
    case FieldType::kInteger:
      return dbInt(v);
    case FieldType::kDate:
      return formatGsonDate(dbInt(v));
    default:
      return dbText(v);
  }
}

}  // namespace

Result<Json> OfferingService::inventory(const std::string& uuid) {
  std::string columns;
  for (const auto& f : kind_.schema.fields) {
    columns += (columns.empty() ? "" : ", ") + (f.column.empty() ? f.name : f.column);
  }
  auto rows =
      db_.query("SELECT " + columns + " FROM " + kind_.schema.table + " WHERE uuid = ?", {uuid});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return makeError(ErrorCode::kNotFound, "no " + kind_.label + " " + uuid);
  const auto& row = rows->rows.front();
  Json inv = Json::object();
  for (std::size_t i = 0; i < kind_.schema.fields.size(); ++i) {
    // Absent values are left out, as the query engine does (and Gson does for nulls).
    if (std::holds_alternative<std::monostate>(row[i])) continue;
    inv[kind_.schema.fields[i].name] = renderCell(kind_.schema.fields[i].type, row[i]);
  }
  return inv;
}

Reply OfferingService::inventoryReply(const std::string& uuid) {
  auto inv = inventory(uuid);
  if (!inv) return inv.error();
  return Json{{"inventory", *inv}};
}

Reply OfferingService::create(const Json& p) {
  std::string uuid = textParam(p, "resourceUuid");
  if (uuid.empty()) uuid = newUuid();
  if (!isUuid(uuid)) return invalidArgument("parameter 'resourceUuid' must be 32 hex digits", uuid);
  if (auto ok = checkText(p); !ok) return ok.error();

  std::string columns =
      "uuid, name, description, type, allocatorStrategy, state, createDate, lastOpDate";
  DbValue description;
  if (p.contains("description") && p["description"].is_string())
    description = p["description"].get<std::string>();
  auto now = nowMillis();
  // The kernel checked the type and strategy against the kind's lists; absent means the default.
  std::vector<DbValue> values{uuid,
                              textParam(p, "name"),
                              description,
                              textParam(p, "type", kind_.types.front()),
                              textParam(p, kind_.strategyParam, kind_.strategies.front()),
                              std::string("Enabled"),
                              now,
                              now};
  for (const auto& n : kind_.numbers) {
    std::int64_t value = n.defaultValue;
    if (p.contains(n.name) && p[n.name].is_number_integer()) value = p[n.name].get<std::int64_t>();
    if (value < n.min || value > n.max) {
      std::string range =
          n.max == INT64_MAX ? "at least " + std::to_string(n.min)
                             : "between " + std::to_string(n.min) + " and " + std::to_string(n.max);
      return invalidArgument("parameter '" + n.name + "' must be " + range,
                             "got " + std::to_string(value));
    }
    columns += ", " + n.name;
    values.emplace_back(value);
  }
  auto inserted = db_.execute("INSERT INTO " + kind_.schema.table + " (" + columns + ") VALUES (" +
                                  sqlPlaceholders(values.size()) + ")",
                              values);
  if (!inserted) {
    auto existing = db_.query("SELECT 1 FROM " + kind_.schema.table + " WHERE uuid = ?", {uuid});
    if (existing && !existing->rows.empty()) {
      return makeError(ErrorCode::kAlreadyExists, "a resource with uuid " + uuid + " exists");
    }
    return inserted.error();
  }
  logger_.info("offering.created kind=" + kind_.noun + " uuid=" + uuid);
  return inventoryReply(uuid);
}

Reply OfferingService::update(const Json& p) {
  std::string uuid = p["uuid"];
  if (auto current = inventory(uuid); !current) return current.error();
  if (auto ok = checkText(p); !ok) return ok.error();
  std::vector<const char*> fields{"name", "description"};
  if (kind_.strategyUpdatable) fields.push_back("allocatorStrategy");
  Status written = db_.transaction([&](Database& tx) -> Status {
    for (const char* field : fields) {
      if (!p.contains(field) || !p[field].is_string()) continue;
      auto changed = tx.execute(
          "UPDATE " + kind_.schema.table + " SET " + field + " = ?, lastOpDate = ? WHERE uuid = ?",
          {p[field].get<std::string>(), nowMillis(), uuid});
      if (!changed) return changed.error();
    }
    return {};
  });
  if (!written) return written.error();
  return inventoryReply(uuid);
}

Reply OfferingService::changeState(const Json& p) {
  std::string uuid = p["uuid"];
  if (auto current = inventory(uuid); !current) return current.error();
  // The catalog limits stateEvent to enable and disable; the kernel refused anything else.
  std::string state = textParam(p, "stateEvent") == "enable" ? "Enabled" : "Disabled";
  auto changed =
      db_.execute("UPDATE " + kind_.schema.table + " SET state = ?, lastOpDate = ? WHERE uuid = ?",
                  {state, nowMillis(), uuid});
  if (!changed) return changed.error();
  return inventoryReply(uuid);
}

Reply OfferingService::deleteRow(const std::string& uuid) {
  auto deleted = db_.execute("DELETE FROM " + kind_.schema.table + " WHERE uuid = ?", {uuid});
  if (!deleted) return deleted.error();
  if (*deleted > 0) logger_.info("offering.deleted kind=" + kind_.noun + " uuid=" + uuid);
  return Json::object();
}

}  // namespace strato::offering
