// The identity plugin on SQLite: accounts, login, throttling, sessions, resolver, renewal.
#include <thread>

#include "identity_fixture.h"

namespace strato::kernel::identity_test {
namespace {

using namespace std::chrono_literals;

TEST_F(IdentityPluginTest, DeclaresTheSessionApis) {
  auto login = apis_.find("LogInByAccount");
  ASSERT_TRUE(login.has_value());
  EXPECT_EQ(login->method, HttpMethod::kPut);
  EXPECT_EQ(login->path, "/zstack/v1/accounts/login");
  EXPECT_EQ(login->actionKey, "logInByAccount");
  EXPECT_FALSE(login->needsSession);
  EXPECT_TRUE(login->synchronous);
  auto logout = apis_.find("LogOut");
  ASSERT_TRUE(logout.has_value());
  EXPECT_EQ(logout->path, "/zstack/v1/accounts/sessions/{sessionUuid}");
  EXPECT_FALSE(logout->needsSession);
  auto validate = apis_.find("ValidateSession");
  ASSERT_TRUE(validate.has_value());
  EXPECT_EQ(validate->path, "/zstack/v1/accounts/sessions/{sessionUuid}/valid");
  auto renew = apis_.find("RenewSession");
  ASSERT_TRUE(renew.has_value());
  EXPECT_EQ(renew->path, "/zstack/v1/accounts/sessions/{sessionId}/renew");
  EXPECT_EQ(renew->actionKey, "renewSession");
  EXPECT_TRUE(renew->needsSession);
  EXPECT_FALSE(renew->synchronous);
  EXPECT_EQ(globalConfigs_.get("identity", "session.timeout"), "7200");
  EXPECT_EQ(globalConfigs_.get("identity", "session.maxConcurrent"), "500");
}

TEST_F(IdentityPluginTest, AdminLogsInWithTheSha512OfPassword) {
  Reply r = login("admin", "password");
  ASSERT_TRUE(r.ok()) << r.error().describe();
  const Json& inv = r.value()["inventory"];
  EXPECT_TRUE(isUuid(inv["uuid"].get<std::string>())) << inv;
  EXPECT_EQ(inv["accountUuid"], kAdminUuid);
  EXPECT_EQ(inv["userUuid"], kAdminUuid);
  EXPECT_TRUE(isGsonDate(inv["createDate"])) << inv;
  EXPECT_TRUE(isGsonDate(inv["expiredDate"])) << inv;
  auto rows = sql("SELECT createDate, expiredDate, accountUuid FROM session WHERE uuid = ?",
                  {inv["uuid"].get<std::string>()});
  ASSERT_EQ(rows.rows.size(), 1u);
  EXPECT_EQ(std::get<std::int64_t>(rows.rows[0][1]) - std::get<std::int64_t>(rows.rows[0][0]),
            7200 * 1000);
  EXPECT_EQ(inv["expiredDate"], formatGsonDate(std::get<std::int64_t>(rows.rows[0][1])));
}

TEST_F(IdentityPluginTest, WrongPasswordAndUnknownAccountGiveTheSameError) {
  Reply wrong = login("admin", "nope");
  Reply unknown = login("nobody", "nope");
  Reply caseVariant = login("ADMIN", "password");
  for (const Reply* r : {&wrong, &unknown, &caseVariant}) {
    ASSERT_FALSE(r->ok());
    EXPECT_EQ(r->error().code, ErrorCode::kUnauthenticated);
    EXPECT_EQ(r->error().message, kWrong);
    EXPECT_EQ(r->error().details, unknown.error().details);
  }
  // Not even the plain password, nor the digest of another one.
  EXPECT_FALSE(api("LogInByAccount", {{"accountName", "admin"}, {"password", "password"}}).ok());
}

TEST_F(IdentityPluginTest, RepeatedFailuresAreThrottledPerAccountName) {
  for (int i = 0; i < 5; ++i) {
    Reply r = login("admin", "guess" + std::to_string(i));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, kWrong);
  }
  // Blocked now, even with the right password.
  Reply blocked = login("admin", "password");
  ASSERT_FALSE(blocked.ok());
  EXPECT_EQ(blocked.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(blocked.error().message, "too many failed logins, retry later");

  // Unknown names are throttled alike; other names are not affected.
  for (int i = 0; i < 5; ++i) EXPECT_EQ(login("ghost", "x").error().message, kWrong);
  EXPECT_EQ(login("ghost", "x").error().message, "too many failed logins, retry later");
  EXPECT_EQ(login("someone", "x").error().message, kWrong);
}

TEST_F(IdentityPluginTest, FailuresBelowTheLimitAreForgottenAfterASuccess) {
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 4; ++i) ASSERT_FALSE(login("admin", "guess").ok());
    ASSERT_TRUE(login("admin", "password").ok()) << "round " << round;
  }
}

TEST_F(IdentityPluginTest, DisabledAccountIsReportedOnlyAfterThePasswordChecks) {
  ASSERT_TRUE(db_->execute("UPDATE account SET state = 'Disabled' WHERE uuid = ?",
                           {std::string(kAdminUuid)})
                  .ok());
  Reply right = login("admin", "password");
  ASSERT_FALSE(right.ok());
  EXPECT_EQ(right.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(right.error().message, "account is disabled");
  Reply wrong = login("admin", "nope");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().message, kWrong);
}

TEST_F(IdentityPluginTest, ValidateSessionIsTrueUntilLogOut) {
  std::string session = adminSession();
  Reply valid = api("ValidateSession", {{"sessionUuid", session}});
  ASSERT_TRUE(valid.ok()) << valid.error().describe();
  EXPECT_EQ(valid.value()["valid"], true);

  Reply out = api("LogOut", {{"sessionUuid", session}});
  ASSERT_TRUE(out.ok()) << out.error().describe();
  EXPECT_EQ(out.value(), Json::object());
  EXPECT_TRUE(sql("SELECT uuid FROM session WHERE uuid = ?", {session}).rows.empty());
  EXPECT_EQ(api("ValidateSession", {{"sessionUuid", session}}).value()["valid"], false);

  // Idempotent: again, unknown, or not a uuid at all.
  EXPECT_EQ(api("LogOut", {{"sessionUuid", session}}).value(), Json::object());
  EXPECT_EQ(api("LogOut", {{"sessionUuid", newUuid()}}).value(), Json::object());
  EXPECT_EQ(api("LogOut", {{"sessionUuid", "not-a-uuid"}}).value(), Json::object());
  EXPECT_EQ(api("ValidateSession", {{"sessionUuid", "x"}}).value()["valid"], false);
}

TEST_F(IdentityPluginTest, ResolverKnowsAFreshSessionUntilLogOut) {
  std::string session = adminSession();
  auto info = resolver_->resolve(session);
  ASSERT_TRUE(info.ok()) << info.error().describe();
  EXPECT_EQ(info->uuid, session);
  EXPECT_EQ(info->accountUuid, kAdminUuid);
  EXPECT_EQ(info->userUuid, kAdminUuid);
  EXPECT_TRUE(info->admin);

  ASSERT_TRUE(api("LogOut", {{"sessionUuid", session}}).ok());
  auto gone = resolver_->resolve(session);
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(gone.error().message, "session expired or does not exist");
  EXPECT_EQ(resolver_->resolve("").error().code, ErrorCode::kUnauthenticated);
}

TEST_F(IdentityPluginTest, ResolverFallsBackToTheDatabase) {
  // Sessions another management node wrote: one live, one expired.
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
  auto info = resolver_->resolve(live);
  ASSERT_TRUE(info.ok()) << info.error().describe();
  EXPECT_TRUE(info->admin);
  auto old = resolver_->resolve(expired);
  ASSERT_FALSE(old.ok());
  EXPECT_EQ(old.error().code, ErrorCode::kUnauthenticated);
  // Met an expired row: deleted on the way.
  EXPECT_TRUE(sql("SELECT uuid FROM session WHERE uuid = ?", {expired}).rows.empty());
  // Upper case is the same session.
  std::string upper = live;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_TRUE(resolver_->resolve(upper).ok());
}

TEST_F(IdentityPluginTest, SessionTimeoutAndShortRenewalGovernExpiry) {
  setConfig("session.timeout", "60");
  std::string session = adminSession();
  auto rows = sql("SELECT createDate, expiredDate FROM session WHERE uuid = ?", {session});
  ASSERT_EQ(rows.rows.size(), 1u);
  EXPECT_EQ(std::get<std::int64_t>(rows.rows[0][1]) - std::get<std::int64_t>(rows.rows[0][0]),
            60'000);

  // A one-second renewal lets the cached session lapse.
  Reply renewed =
      api("RenewSession", {{"sessionId", session}, {"duration", 1}}, adminCaller(session));
  ASSERT_TRUE(renewed.ok()) << renewed.error().describe();
  ASSERT_TRUE(resolver_->resolve(session).ok());
  std::this_thread::sleep_for(1200ms);
  auto lapsed = resolver_->resolve(session);
  ASSERT_FALSE(lapsed.ok());
  EXPECT_EQ(lapsed.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(api("ValidateSession", {{"sessionUuid", session}}).value()["valid"], false);
}

TEST_F(IdentityPluginTest, RenewSessionExtendsTheExpiry) {
  std::string session = adminSession();
  std::int64_t before = expiredDateOf(session);
  // As clients send it: a float.
  Reply r =
      api("RenewSession", {{"sessionId", session}, {"duration", 36000.0}}, adminCaller(session));
  ASSERT_TRUE(r.ok()) << r.error().describe();
  std::int64_t after = expiredDateOf(session);
  EXPECT_GT(after, before);
  EXPECT_NEAR(static_cast<double>(after - nowMillis()), 36000e3, 5000);
  EXPECT_EQ(r.value()["inventory"]["uuid"], session);
  EXPECT_EQ(r.value()["inventory"]["expiredDate"], formatGsonDate(after));
  EXPECT_TRUE(isGsonDate(r.value()["inventory"]["createDate"]));

  // Without a duration: session.timeout from now.
  ASSERT_TRUE(api("RenewSession", {{"sessionId", session}}, adminCaller(session)).ok());
  EXPECT_NEAR(static_cast<double>(expiredDateOf(session) - nowMillis()), 7200e3, 5000);
}

TEST_F(IdentityPluginTest, RenewSessionChecksWhoAsksAndWhat) {
  std::string session = adminSession();
  Json stranger = SessionInfo{newUuid(), newUuid(), newUuid(), false}.toJson();
  Reply denied = api("RenewSession", {{"sessionId", session}}, stranger);
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().code, ErrorCode::kPermissionDenied);
  // The account itself, not only an admin.
  Json owner = SessionInfo{session, kAdminUuid, kAdminUuid, false}.toJson();
  EXPECT_TRUE(api("RenewSession", {{"sessionId", session}}, owner).ok());

  for (Json bad : {Json(0), Json(-5), Json(1.5), Json("ten"), Json(31536001)}) {
    Reply r = api("RenewSession", {{"sessionId", session}, {"duration", bad}}, owner);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << bad;
  }
  Reply unknown = api("RenewSession", {{"sessionId", newUuid()}}, owner);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
}

TEST_F(IdentityPluginTest, MaxConcurrentSessionsBoundsLogins) {
  setConfig("session.maxConcurrent", "2");
  std::string first = adminSession();
  std::string second = adminSession();
  Reply third = login("admin", "password");
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.error().code, ErrorCode::kConflict);
  EXPECT_NE(third.error().message.find("identity.session.maxConcurrent"), std::string::npos)
      << third.error().message;
  // Existing sessions are untouched; logging one out frees a slot.
  EXPECT_TRUE(resolver_->resolve(first).ok());
  EXPECT_TRUE(resolver_->resolve(second).ok());
  ASSERT_TRUE(api("LogOut", {{"sessionUuid", first}}).ok());
  EXPECT_TRUE(login("admin", "password").ok());
}

TEST_F(IdentityPluginTest, PasswordIsStoredSaltedAndHashed) {
  auto read = [&] {
    auto rows = sql("SELECT passwordHash, passwordSalt, type, state FROM account WHERE name = ?",
                    {std::string("admin")});
    EXPECT_EQ(rows.rows.size(), 1u);
    return rows.rows.empty() ? std::vector<DbValue>(4) : rows.rows[0];
  };
  auto first = read();
  std::string hash = std::get<std::string>(first[0]), salt = std::get<std::string>(first[1]);
  EXPECT_EQ(std::get<std::string>(first[2]), "SystemAdmin");
  EXPECT_EQ(std::get<std::string>(first[3]), "Enabled");
  EXPECT_FALSE(salt.empty());
  EXPECT_NE(hash, sha512Hex("password"));
  EXPECT_EQ(hash.find(sha512Hex("password")), std::string::npos);
  EXPECT_LE(hash.size(), 128u);

  // Start hooks again: the admin exists, nothing changes.
  runStartHooks();
  EXPECT_EQ(std::get<std::string>(read()[0]), hash);

  // Recreated, the same password gets a new salt and so another hash; login still works.
  ASSERT_TRUE(db_->execute("DELETE FROM account WHERE name = 'admin'").ok());
  runStartHooks();
  auto second = read();
  EXPECT_NE(std::get<std::string>(second[1]), salt);
  EXPECT_NE(std::get<std::string>(second[0]), hash);
  EXPECT_TRUE(login("admin", "password").ok());
}

}  // namespace
}  // namespace strato::kernel::identity_test
