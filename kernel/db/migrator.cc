#include "db/migrator.h"

#include <chrono>

namespace strato::kernel {
namespace {

Status ensureVersionTable(Database& db) {
  auto r = db.execute(
      "CREATE TABLE IF NOT EXISTS strato_schema_version ("
      " component VARCHAR(128) NOT NULL PRIMARY KEY,"
      " version INTEGER NOT NULL,"
      " description VARCHAR(255) NOT NULL,"
      " applied_at BIGINT NOT NULL)");
  if (!r) return r.error();
  return {};
}

std::int64_t nowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Status validateMigrations(const std::string& component, const std::vector<Migration>& migrations) {
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version != static_cast<int>(i) + 1) {
      return makeError(ErrorCode::kInvalidArgument,
                       "migrations of " + component + " must be numbered 1, 2, 3, ... in order",
                       "position " + std::to_string(i + 1) + " has version " +
                           std::to_string(migrations[i].version));
    }
    if (migrations[i].statements.empty()) {
      return makeError(ErrorCode::kInvalidArgument,
                       "migration " + std::to_string(i + 1) + " of " + component + " is empty");
    }
  }
  return {};
}

Result<int> schemaVersion(Database& db, const std::string& component) {
  if (auto s = ensureVersionTable(db); !s) return s.error();
  auto rows = db.query("SELECT version FROM strato_schema_version WHERE component = ?",
                       {DbValue(component)});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return 0;
  const auto* v = std::get_if<std::int64_t>(&rows->rows[0][0]);
  return v ? static_cast<int>(*v) : 0;
}

Result<MigrationReport> applyMigrations(Database& db, const std::string& component,
                                        const std::vector<Migration>& migrations) {
  if (auto s = validateMigrations(component, migrations); !s) return s.error();
  auto current = schemaVersion(db, component);
  if (!current) return current.error();
  const int target = static_cast<int>(migrations.size());
  MigrationReport report{*current, *current};
  if (*current > target) {
    return makeError(ErrorCode::kConflict,
                     "the database schema of " + component + " is at version " +
                         std::to_string(*current) + ", newer than this build knows (" +
                         std::to_string(target) + "); refusing to run an older build on it");
  }
  for (int version = *current + 1; version <= target; ++version) {
    const Migration& m = migrations[version - 1];
    const auto& statements = db.dialect() == DbDialect::kMysql && !m.mysqlStatements.empty()
                                 ? m.mysqlStatements
                                 : m.statements;
    Status applied = db.transaction([&](Database& tx) -> Status {
      for (const auto& sql : statements) {
        if (auto r = tx.execute(sql); !r) return r.error();
      }
      std::vector<DbValue> args{DbValue(std::int64_t{version}), DbValue(m.description),
                                DbValue(nowSeconds()), DbValue(component)};
      auto r = version == 1
                   ? tx.execute("INSERT INTO strato_schema_version"
                                " (version, description, applied_at, component) VALUES (?, ?, ?, ?)",
                                args)
                   : tx.execute("UPDATE strato_schema_version SET version = ?, description = ?,"
                                " applied_at = ? WHERE component = ?",
                                args);
      if (!r) return r.error();
      return {};
    });
    if (!applied) {
      Error e = applied.error();
      e.message = "migration " + std::to_string(version) + " (" + m.description + ") of " +
                  component + " failed: " + e.message;
      return e;
    }
    report.to = version;
  }
  return report;
}

}  // namespace strato::kernel
