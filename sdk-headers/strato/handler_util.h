// Small helpers every API handler wants: reading parameters leniently, the usual errors, and a
// statement's Status. Header-only.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "strato/database.h"
#include "strato/json.h"
#include "strato/result.h"

namespace strato {

// The caller sent something wrong; becomes HTTP 400 / SYS.1007.
inline Error invalidArgument(std::string message, std::string details = {}) {
  return makeError(ErrorCode::kInvalidArgument, std::move(message), std::move(details));
}

// The resource is in no state for the call (attached, running, taken meanwhile).
inline Error conflict(std::string message, std::string details = {}) {
  return makeError(ErrorCode::kConflict, std::move(message), std::move(details));
}

// `e` as the failure of `what` ("adding backup storage bs1 failed: <e's message>").
inline Error failedWhile(Error e, const std::string& what) {
  e.message = what + " failed: " + e.message;
  return e;
}

// A string parameter, or `fallback` when absent or not a string.
inline std::string textParam(const Json& params, std::string_view key, std::string fallback = {}) {
  auto it = params.is_object() ? params.find(key) : params.end();
  return it != params.end() && it->is_string() ? it->get<std::string>() : std::move(fallback);
}

// A list parameter's non-empty strings, each once, in order; empty when absent.
inline std::vector<std::string> stringListParam(const Json& params, std::string_view key) {
  std::vector<std::string> out;
  auto it = params.is_object() ? params.find(key) : params.end();
  if (it == params.end() || !it->is_array()) return out;
  for (const auto& v : *it) {
    if (!v.is_string() || v.get_ref<const std::string&>().empty()) continue;
    if (std::find(out.begin(), out.end(), v.get_ref<const std::string&>()) == out.end())
      out.push_back(v.get<std::string>());
  }
  return out;
}

// A statement's outcome as a Status, for when how many rows changed does not matter.
inline Status statusOf(const Result<std::uint64_t>& changed) {
  if (!changed) return changed.error();
  return {};
}

// The first column of `sql`'s rows as text, in order (a resource's attached clusters, say).
inline Result<std::vector<std::string>> textColumn(Database& db, std::string_view sql,
                                                   const std::vector<DbValue>& binds) {
  auto rows = db.query(sql, binds);
  if (!rows) return rows.error();
  std::vector<std::string> out;
  for (const auto& r : rows->rows) out.push_back(dbText(r[0]));
  return out;
}

// Rows of `sql` (which ends in "IN (") for `values`, in slices, since a database caps the values
// bound to one statement; each row's columns joined with ':'. Cascade nodes name their rows so:
// plain uuids from one column, "<a>:<b>" for rows keyed by two.
inline Result<std::vector<std::string>> namesIn(Database& db, const std::string& sql,
                                                const std::vector<std::string>& values) {
  std::vector<std::string> out;
  auto read = forEachSlice(values, [&](const std::vector<DbValue>& slice) -> Status {
    auto rows = db.query(sql + sqlPlaceholders(slice.size()) + ")", slice);
    if (!rows) return rows.error();
    for (const auto& r : rows->rows) {
      std::string name;
      for (const auto& v : r) name += (name.empty() ? "" : ":") + dbText(v);
      out.push_back(std::move(name));
    }
    return {};
  });
  if (!read) return read.error();
  return out;
}

// Which rows a capacity-style API means (GetPrimaryStorageCapacity, GetIpAddressCapacity, ...):
// every row when `all` is true (or "true"); else the rows matching any of `conditions` whose list
// parameter was given. A condition is {parameter, "column IN (%)"}, the % becoming the list's
// placeholders; two parameters may share a condition (a misspelling the manual uses, say).
struct RowFilter {
  std::string where;  // "1 = 1" for all
  std::vector<DbValue> binds;
};
inline Result<RowFilter> selectedRows(
    const Json& params, const std::vector<std::pair<std::string, std::string>>& conditions) {
  auto all = params.is_object() ? params.find("all") : params.end();
  if (all != params.end() && (*all == true || *all == "true")) return RowFilter{"1 = 1", {}};
  RowFilter filter;
  std::string names;
  for (const auto& [name, condition] : conditions) {
    names += (names.empty() ? "" : ", ") + name;
    auto uuids = stringListParam(params, name);
    if (uuids.empty()) continue;
    if (uuids.size() > 500) return invalidArgument("too many " + name, "at most 500");
    std::string sql = condition;
    sql.replace(sql.find('%'), 1, sqlPlaceholders(uuids.size()));
    filter.where += (filter.where.empty() ? "" : " OR ") + sql;
    filter.binds.insert(filter.binds.end(), uuids.begin(), uuids.end());
  }
  if (filter.where.empty()) return invalidArgument("give " + names + ", or all=true");
  return filter;
}

}  // namespace strato
