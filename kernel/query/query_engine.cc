#include "query/query_engine.h"

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "query/condition.h"
#include "query/field_codec.h"
#include "query/inventory_lists.h"
#include "query/json_text.h"
#include "query/sql_where.h"

namespace strato::kernel {
namespace {

Error badRequest(const std::string& message, const std::string& details = {}) {
  return makeError(ErrorCode::kInvalidArgument, message, details);
}

// A native field named by `fields`, `sort` or `groupBy` (never a path or a tag).
Result<const InventoryField*> nativeField(const InventorySchema& schema, const std::string& name,
                                          const char* parameter) {
  if (const InventoryField* field = findField(schema, name)) return field;
  std::string why = "'" + name + "' is not a field of inventory '" + schema.name + "'";
  if (name.find('.') != std::string::npos || findRelation(schema, name) ||
      name == kSystemTagField || name == kUserTagField) {
    why = "only native fields of '" + schema.name + "' are allowed, not '" + name + "'";
  }
  return badRequest("invalid query parameter '" + std::string(parameter) + "': " + why,
                    describeNames(schema));
}

Result<std::int64_t> countOf(const Result<DbRows>& rows) {
  if (!rows) return rows.error();
  if (rows->rows.size() != 1 || rows->rows[0].empty()) {
    return makeError(ErrorCode::kInternal, "COUNT(*) returned no row");
  }
  const DbValue& v = rows->rows[0][0];
  if (const auto* i = std::get_if<std::int64_t>(&v)) return *i;
  if (const auto* d = std::get_if<double>(&v)) return static_cast<std::int64_t>(*d);
  if (const auto* s = std::get_if<std::string>(&v)) return std::stoll(*s);
  return std::int64_t{0};
}

struct Sort {
  const InventoryField* field = nullptr;
  bool descending = false;
};

Result<Sort> parseSort(const InventorySchema& schema, const std::string& sort) {
  Sort out;
  if (sort.empty()) return out;
  if (sort.size() < 2 || (sort[0] != '+' && sort[0] != '-')) {
    return badRequest("invalid query parameter 'sort': '" + sort + "' must be +field or -field");
  }
  auto field = nativeField(schema, sort.substr(1), "sort");
  if (!field) return field.error();
  out.field = *field;
  out.descending = sort[0] == '-';
  return out;
}

}  // namespace

Result<QueryEngine::Page> QueryEngine::page(std::string_view inventory, const QueryRequest& request,
                                            const QueryScope* scope) const {
  Page page;
  const InventorySchema* schema = page.schema = catalog_.find(inventory);
  if (schema == nullptr) {
    return makeError(ErrorCode::kNotFound, "no inventory '" + std::string(inventory) + "'");
  }
  const DbDialect dialect = db_.dialect();
  const InventoryField* uuid = findField(*schema, "uuid");

  SqlWhere where(catalog_, dialect);
  for (const auto& text : request.conditions) {
    auto condition = parseCondition(text);
    if (!condition) return condition.error();
    if (auto added = where.add(*schema, *condition); !added) return added.error();
  }
  if (!request.uuid.empty()) {
    if (uuid == nullptr) return badRequest("inventory '" + schema->name + "' has no uuid");
    if (auto added = where.add(*schema, Condition{{"uuid"}, ConditionOp::kEq, request.uuid});
        !added) {
      return added.error();
    }
  }

  if (scope) {
    // Paths in conditions reach other inventories unfiltered; only the rows returned are scoped.
    if (schema->ownedByAccount) {
      std::string key = "t0." + quoteIdentifier(columnOf(*uuid));
      where.addTrusted("(" + key + " IN (SELECT resourceUuid FROM account_resource_ref WHERE accountUuid = ?) OR " +
                           key + " IN (SELECT resourceUuid FROM shared_resource WHERE toPublic = 1 OR "
                                 "receiverAccountUuid = ?))",
                       {scope->accountUuid, scope->accountUuid});
    } else if (!schema->accountField.empty()) {
      where.addTrusted("t0." + quoteIdentifier(columnOf(*findField(*schema, schema->accountField))) + " = ?",
                       {scope->accountUuid});
    }
  }

  auto sort = parseSort(*schema, request.sort);
  if (!sort) return sort.error();
  const InventoryField* groupBy = nullptr;
  if (!request.groupBy.empty()) {
    auto field = nativeField(*schema, request.groupBy, "groupBy");
    if (!field) return field.error();
    groupBy = *field;
    if (!request.fields.empty()) return badRequest("fields cannot be combined with groupBy");
    if (sort->field && sort->field != groupBy) {
      return badRequest("with groupBy, sort can only be on the grouped field '" + groupBy->name +
                        "'");
    }
  }

  std::vector<const InventoryField*> selected;
  std::set<const InventoryField*> seen;
  for (const auto& name : request.fields) {
    auto field = nativeField(*schema, name, "fields");
    if (!field) return field.error();
    if (seen.insert(*field).second) selected.push_back(*field);
  }
  if (selected.empty()) {
    for (const auto& field : schema->fields) selected.push_back(&field);
  }

  const std::string from = " FROM " + quoteIdentifier(schema->table) + " t0" + where.sql();
  const std::string groupKey = groupBy ? orderKey(dialect, "t0", *groupBy) : std::string();

  page.groupBy = groupBy;
  page.countOnly = request.count;
  if (request.count || request.replyWithCount) {
    const std::string sql = groupBy ? "SELECT COUNT(*) FROM (SELECT 1 AS one" + from +
                                          " GROUP BY " + groupKey + ") grouped"
                                    : "SELECT COUNT(*)" + from;
    auto total = countOf(db_.query(sql, where.params()));
    if (!total) return total.error();
    page.total = *total;
    if (request.count) return page;
  }

  std::string sql;
  if (groupBy) {
    sql = "SELECT " + groupKey + ", COUNT(*)" + from + " GROUP BY " + groupKey + " ORDER BY " +
          groupKey + (sort->descending ? " DESC" : " ASC");
  } else {
    sql = "SELECT ";
    for (std::size_t i = 0; i < selected.size(); ++i) {
      sql += (i ? ", t0." : "t0.") + quoteIdentifier(columnOf(*selected[i]));
    }
    sql += from;
    if (sort->field) {
      sql += " ORDER BY " + orderKey(dialect, "t0", *sort->field) +
             (sort->descending ? " DESC" : " ASC");
      if (uuid && sort->field != uuid) sql += ", t0." + quoteIdentifier(columnOf(*uuid)) + " ASC";
    } else if (uuid) {
      // Uuids are lowercase hex, so the column's own order is the same on both back ends and
      // MySQL can walk the primary key.
      sql += " ORDER BY t0." + quoteIdentifier(columnOf(*uuid)) + " ASC";
    }
  }
  sql += " LIMIT ? OFFSET ?";
  std::vector<DbValue> params = where.params();
  params.emplace_back(request.limit);
  params.emplace_back(request.start);

  auto rows = db_.query(sql, params);
  if (!rows) return rows.error();
  page.rows = std::move(rows->rows);
  page.selected = std::move(selected);
  if (!groupBy && request.fields.empty() && !schema->lists.empty()) {
    for (const auto& list : schema->lists) {
      const InventoryField* local = findField(*schema, list.localField);
      auto at = static_cast<std::size_t>(
          std::find(page.selected.begin(), page.selected.end(), local) - page.selected.begin());
      auto& column = page.listKeys.emplace_back();
      for (const auto& row : page.rows) column.push_back(dbText(row.at(at)));  // NULL reads as ""
    }
    auto lists = fetchInventoryLists(db_, catalog_, *schema, page.listKeys);
    if (!lists) return lists.error();
    page.lists = std::move(*lists);
  }
  return page;
}

// ZStack's SDK reads each row's class here; groups are not inventories.
bool QueryEngine::Page::hasClassNames() const {
  return groupBy == nullptr && !schema->className.empty() && !rows.empty();
}

Result<Json> QueryEngine::run(std::string_view inventory, const QueryRequest& request,
                              const QueryScope* scope) const {
  auto page = this->page(inventory, request, scope);
  if (!page) return page.error();
  return toJson(*page);
}

Json QueryEngine::toJson(const Page& page) {
  Json reply = Json::object();
  if (page.total) reply["total"] = *page.total;
  if (page.countOnly) return reply;
  Json inventories = Json::array();
  for (const auto& row : page.rows) {
    if (!page.groupBy) {
      inventories.push_back(renderRow(page.selected, row));
      continue;
    }
    Json item = Json::object();
    if (!std::holds_alternative<std::monostate>(row.at(0))) {
      item[page.groupBy->name] = renderValue(page.groupBy->type, row[0]);
    }
    item["count"] = renderValue(FieldType::kInteger, row.at(1));
    inventories.push_back(std::move(item));
  }
  fillInventoryLists(page.lists, page.listKeys, inventories);
  if (page.hasClassNames()) {
    Json classes = Json::object();
    for (std::size_t i = 0; i < inventories.size(); ++i) {
      classes["inventories[" + std::to_string(i) + "]"] = page.schema->className;
    }
    reply["schema"] = std::move(classes);
  }
  reply["inventories"] = std::move(inventories);
  return reply;
}

Result<std::string> QueryEngine::runText(std::string_view inventory, const QueryRequest& request,
                                         const QueryScope* scope) const {
  auto page = this->page(inventory, request, scope);
  if (!page) return page.error();
  // Groups and counts are small: their Json is dumped.
  if (page->groupBy || page->countOnly) return toJson(*page).dump();
  std::string out = "{";
  if (page->total) out += "\"total\":" + std::to_string(*page->total) + ",";
  out += "\"inventories\":[";
  for (std::size_t r = 0; r < page->rows.size(); ++r) {
    out += r ? ",{" : "{";
    bool members = appendMembers(out, page->selected, page->rows[r]);
    appendInventoryLists(out, page->lists, page->listKeys, r, members);
    out += '}';
  }
  out += ']';
  if (page->hasClassNames()) {
    out += ",\"schema\":{";
    for (std::size_t r = 0; r < page->rows.size(); ++r) {
      if (r) out += ',';
      appendJsonString(out, "inventories[" + std::to_string(r) + "]");
      out += ':';
      appendJsonString(out, page->schema->className);
    }
    out += '}';
  }
  out += '}';
  return out;
}

}  // namespace strato::kernel
