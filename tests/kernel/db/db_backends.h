// Runs database tests on every back end: a fresh SQLite file, and a fresh database on one
// mariadbd that the test binary starts on loopback (and stops, by PID, when it exits).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "db/poco_database.h"
#include "support/mariadb_server.h"
#include "support/temp_dir.h"

namespace strato::kernel::test_db {

enum class Backend { kSqlite, kMariaDb };

inline std::string backendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "SQLite" : "MariaDB";
}

// One server for the whole binary; started on first use.
inline test::MariaDbServer& sharedMariaDb() {
  static std::unique_ptr<test::MariaDbServer> server = test::MariaDbServer::start("strato_admin");
  return *server;
}

class DatabaseTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override { db_ = open(); }

  std::shared_ptr<Database> open() {
    DatabaseUrl url;
    if (GetParam() == Backend::kSqlite) {
      url.sqlitePath = (dir_.path() / "test.db").string();
    } else {
      static int counter = 0;
      if (name_.empty()) {
        name_ = "strato_t" + std::to_string(++counter);
        auto admin = parseDatabaseUrl(sharedMariaDb().url()).value();
        auto adminDb = openDatabase({admin, 1, 1000});
        EXPECT_TRUE(adminDb.ok()) << adminDb.error().describe();
        EXPECT_TRUE(adminDb.value()->execute("CREATE DATABASE " + name_, {}).ok());
      }
      url = parseDatabaseUrl(sharedMariaDb().url()).value();
      url.database = name_;
    }
    auto db = openDatabase({url, 8, 5000});
    EXPECT_TRUE(db.ok()) << db.error().describe();
    return db.ok() ? db.value() : nullptr;
  }

  test::TempDir dir_{"db-test"};
  std::string name_;
  std::shared_ptr<Database> db_;
};

#define STRATO_INSTANTIATE_DB_TESTS(Suite)                                       \
  INSTANTIATE_TEST_SUITE_P(Backends, Suite,                                      \
                           ::testing::Values(::strato::kernel::test_db::Backend::kSqlite, \
                                             ::strato::kernel::test_db::Backend::kMariaDb), \
                           ::strato::kernel::test_db::backendName)

}  // namespace strato::kernel::test_db
