#include "db/migrator.h"

#include <gtest/gtest.h>

#include "db_backends.h"

namespace strato::kernel::test_db {
namespace {

std::vector<Migration> zoneSchema() {
  return {{1, "zones", {"CREATE TABLE zones (uuid VARCHAR(32) PRIMARY KEY, name VARCHAR(255))"}, {}},
          {2, "zone state", {"ALTER TABLE zones ADD COLUMN state VARCHAR(32)",
                             "CREATE INDEX idx_zones_name ON zones (name)"}, {}}};
}

bool tableExists(Database& db, const std::string& table) {
  return db.query("SELECT COUNT(*) FROM " + table, {}).ok();
}

class Migrations : public DatabaseTest {};

TEST_P(Migrations, AppliesInOrderAndRecordsTheVersion) {
  auto report = applyMigrations(*db_, "zone", zoneSchema());
  ASSERT_TRUE(report.ok()) << report.error().describe();
  EXPECT_EQ(report->from, 0);
  EXPECT_EQ(report->to, 2);
  EXPECT_EQ(schemaVersion(*db_, "zone").value(), 2);
  EXPECT_TRUE(db_->execute("INSERT INTO zones (uuid, name, state) VALUES ('u', 'n', 'Enabled')", {}).ok());
}

TEST_P(Migrations, RerunIsANoOpAndLaterMigrationsApplyOnTop) {
  ASSERT_TRUE(applyMigrations(*db_, "zone", zoneSchema()).ok());
  auto again = applyMigrations(*db_, "zone", zoneSchema());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->from, 2);
  EXPECT_EQ(again->to, 2);

  auto grown = zoneSchema();
  grown.push_back({3, "zone description", {"ALTER TABLE zones ADD COLUMN description VARCHAR(2048)"}, {}});
  auto up = applyMigrations(*db_, "zone", grown);
  ASSERT_TRUE(up.ok()) << up.error().describe();
  EXPECT_EQ(up->from, 2);
  EXPECT_EQ(up->to, 3);
}

TEST_P(Migrations, ComponentsAreVersionedIndependently) {
  ASSERT_TRUE(applyMigrations(*db_, "zone", zoneSchema()).ok());
  std::vector<Migration> host{{1, "hosts", {"CREATE TABLE hosts (uuid VARCHAR(32) PRIMARY KEY)"}, {}}};
  ASSERT_TRUE(applyMigrations(*db_, "host", host).ok());
  EXPECT_EQ(schemaVersion(*db_, "zone").value(), 2);
  EXPECT_EQ(schemaVersion(*db_, "host").value(), 1);
  EXPECT_EQ(schemaVersion(*db_, "vm").value(), 0);
}

TEST_P(Migrations, DatabaseNewerThanTheCodeIsRefused) {
  ASSERT_TRUE(applyMigrations(*db_, "zone", zoneSchema()).ok());
  auto older = zoneSchema();
  older.pop_back();
  auto r = applyMigrations(*db_, "zone", older);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kConflict);
  EXPECT_NE(r.error().message.find("newer than this build"), std::string::npos);
}

TEST_P(Migrations, FailedMigrationKeepsThePreviousVersion) {
  auto schema = zoneSchema();
  schema.push_back({3, "broken", {"INSERT INTO zones (uuid) VALUES ('kept-out')",
                                  "INSERT INTO no_such_table VALUES (1)"}, {}});
  auto r = applyMigrations(*db_, "zone", schema);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("migration 3 (broken) of zone failed"), std::string::npos)
      << r.error().message;
  EXPECT_EQ(schemaVersion(*db_, "zone").value(), 2);
  // The data change of the failed migration was rolled back with it.
  auto rows = db_->query("SELECT COUNT(*) FROM zones", {});
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(std::get<std::int64_t>(rows->rows[0][0]), 0);
}

TEST_P(Migrations, BadNumberingIsRefusedBeforeTouchingTheDatabase) {
  std::vector<Migration> gap{{1, "a", {"CREATE TABLE a (x INTEGER)"}, {}},
                             {3, "c", {"CREATE TABLE c (x INTEGER)"}, {}}};
  EXPECT_FALSE(applyMigrations(*db_, "gap", gap).ok());
  EXPECT_FALSE(tableExists(*db_, "a"));
  std::vector<Migration> empty{{1, "nothing", {}, {}}};
  EXPECT_FALSE(applyMigrations(*db_, "empty", empty).ok());
}

TEST_P(Migrations, DialectSpecificStatementsAreUsedOnMysql) {
  std::vector<Migration> m{{1, "engine",
                            {"CREATE TABLE dialect_probe (which VARCHAR(10))",
                             "INSERT INTO dialect_probe VALUES ('generic')"},
                            {"CREATE TABLE dialect_probe (which VARCHAR(10)) ENGINE=InnoDB",
                             "INSERT INTO dialect_probe VALUES ('mysql')"}}};
  ASSERT_TRUE(applyMigrations(*db_, "probe", m).ok());
  auto rows = db_->query("SELECT which FROM dialect_probe", {});
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(std::get<std::string>(rows->rows.at(0).at(0)),
            GetParam() == Backend::kSqlite ? "generic" : "mysql");
}

STRATO_INSTANTIATE_DB_TESTS(Migrations);

}  // namespace
}  // namespace strato::kernel::test_db
