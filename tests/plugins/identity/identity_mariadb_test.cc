// The identity plugin's SQL on MariaDB: one pass through everything that touches the database
// (migrations, admin creation, login count and insert, join lookup, renewal, lazy and periodic
// deletes). A real mariadbd per test process, started by the fixture and stopped by its PID.
#include "identity_fixture.h"
#include "support/mariadb_server.h"

namespace strato::kernel::identity_test {
namespace {

class IdentityMariaDbTest : public IdentityPluginTest {
 protected:
  DatabaseUrl databaseUrl() override {
    server_ = test::MariaDbServer::start("strato_identity");
    auto url = parseDatabaseUrl(server_->url());
    EXPECT_TRUE(url.ok()) << url.error().describe();
    return url.value();
  }
  // Dies before the base's database pool, whose connections then close against a stopped
  // server: harmless, the client only fails to say goodbye.
  std::unique_ptr<test::MariaDbServer> server_;
};

TEST_F(IdentityMariaDbTest, SessionLifecycle) {
  ASSERT_EQ(db_->dialect(), DbDialect::kMysql);
  // Names compare case-sensitively even under MariaDB's case-insensitive collation.
  EXPECT_EQ(login("ADMIN", "password").error().message, kWrong);
  EXPECT_EQ(login("admin", "nope").error().message, kWrong);

  setConfig("session.maxConcurrent", "2");
  std::string session = adminSession();
  std::string other = adminSession();
  EXPECT_EQ(login("admin", "password").error().code, ErrorCode::kConflict);

  auto info = resolver_->resolve(session);
  ASSERT_TRUE(info.ok()) << info.error().describe();
  EXPECT_TRUE(info->admin);
  std::int64_t before = expiredDateOf(session);
  Reply renewed =
      api("RenewSession", {{"sessionId", session}, {"duration", 86400}}, adminCaller(session));
  ASSERT_TRUE(renewed.ok()) << renewed.error().describe();
  EXPECT_GT(expiredDateOf(session), before);

  // Written by "another node": one live, one expired.
  std::int64_t now = nowMillis();
  std::string live = newUuid(), expired = newUuid();
  std::string insert =
      "INSERT INTO session (uuid, accountUuid, userUuid, createDate, expiredDate) "
      "VALUES (?, ?, ?, ?, ?)";
  ASSERT_TRUE(db_->execute(insert, {live, std::string(kAdminUuid), std::string(kAdminUuid), now,
                                    now + 600'000})
                  .ok());
  ASSERT_TRUE(db_->execute(insert, {expired, std::string(kAdminUuid), std::string(kAdminUuid),
                                    now - 600'000, now - 1000})
                  .ok());
  EXPECT_TRUE(resolver_->resolve(live).ok());
  EXPECT_FALSE(resolver_->resolve(expired).ok());
  EXPECT_TRUE(sql("SELECT uuid FROM session WHERE uuid = ?", {expired}).rows.empty());

  ASSERT_TRUE(api("LogOut", {{"sessionUuid", session}}).ok());
  EXPECT_EQ(api("ValidateSession", {{"sessionUuid", session}}).value()["valid"], false);
  EXPECT_EQ(api("ValidateSession", {{"sessionUuid", other}}).value()["valid"], true);
  runStartHooks();  // again: admin kept, expired rows purged
  auto accounts = sql("SELECT uuid FROM account");
  ASSERT_EQ(accounts.rows.size(), 1u);
  EXPECT_EQ(std::get<std::string>(accounts.rows[0][0]), kAdminUuid);
}

}  // namespace
}  // namespace strato::kernel::identity_test
