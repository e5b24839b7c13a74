#include "db/database_url.h"

#include <gtest/gtest.h>

namespace strato::kernel {
namespace {

TEST(DatabaseUrl, SqliteForms) {
  EXPECT_EQ(parseDatabaseUrl("sqlite:var/strato.db").value().sqlitePath, "var/strato.db");
  EXPECT_EQ(parseDatabaseUrl("sqlite:///tmp/x.db").value().sqlitePath, "/tmp/x.db");
  EXPECT_FALSE(parseDatabaseUrl("sqlite:").ok());
}

TEST(DatabaseUrl, MysqlFormsAndRedaction) {
  auto u = parseDatabaseUrl("mysql://strato:s3cr:et@db.local:3307/cloud").value();
  EXPECT_EQ(u.dialect, DbDialect::kMysql);
  EXPECT_EQ(u.user, "strato");
  EXPECT_EQ(u.password, "s3cr:et");
  EXPECT_EQ(u.host, "db.local");
  EXPECT_EQ(u.port, 3307);
  EXPECT_EQ(u.database, "cloud");
  EXPECT_EQ(u.redacted().find("s3cr"), std::string::npos);
  EXPECT_EQ(parseDatabaseUrl("mysql://root@127.0.0.1/strato").value().port, 3306);
}

TEST(DatabaseUrl, MalformedUrlsAreRefused) {
  for (const char* bad : {"postgres://u@h/d", "mysql://host/db", "mysql://u@h:99999/d",
                          "mysql://u@h:/d", "mysql://u@h/", "mysql://u@h", "strato.db"}) {
    EXPECT_FALSE(parseDatabaseUrl(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace strato::kernel
