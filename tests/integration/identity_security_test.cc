// Multi-tenancy over HTTP: what a Normal account must not be able to do to another's resources,
// sharing and changing owners, deleted accounts, and password guessing.
#include "integration/identity_rest_fixture.h"

namespace strato::test {
namespace {

using IdentitySecurityTest = IdentityRestTest;

TEST_F(IdentitySecurityTest, AnotherAccountsWidgetCannotBeReadUpdatedOrDeleted) {
  createAccount("alpha");
  createAccount("beta");
  auto alpha = loginAs("alpha");
  auto beta = loginAs("beta");
  std::string uuid = widget(*alpha, "secret")["uuid"];

  EXPECT_TRUE(visibleWidgets(*beta).empty());
  auto byUuid = beta->send("GET", "/zstack/v1/test/widgets/" + uuid);
  ASSERT_EQ(byUuid.status, 200) << byUuid.body;
  EXPECT_TRUE(parse(byUuid)["inventories"].empty());
  expectDenied(beta->call("PUT", "/zstack/v1/test/widgets/" + uuid + "/actions",
                          {{"updateTestWidget", {{"name", "mine"}}}}));
  expectDenied(beta->call("DELETE", "/zstack/v1/test/widgets/" + uuid));
  // Nor can it hand the widget around.
  expectDenied(beta->call("PUT", "/zstack/v1/accounts/resources/actions",
                          {{"shareResource", {{"resourceUuids", {uuid}}, {"toPublic", true}}}}));
  EXPECT_EQ(parse(alpha->send("GET", "/zstack/v1/test/widgets/" + uuid))["inventories"][0]["name"],
            "secret");
  // The admin sees everything.
  EXPECT_EQ(visibleWidgets(client()), std::vector<std::string>{uuid});
}

TEST_F(IdentitySecurityTest, AdminOnlyApisAreRefused) {
  std::string alphaUuid = createAccount("alpha")["uuid"];
  std::string betaUuid = createAccount("beta")["uuid"];
  auto alpha = loginAs("alpha");
  expectDenied(alpha->call("POST", "/zstack/v1/accounts",
                           {{"params", {{"name", "x"}, {"password", sha512Hex("x")}}}}));
  expectDenied(alpha->call(
      "PUT", "/zstack/v1/accounts/quotas/actions",
      {{"updateQuota", {{"identityUuid", alphaUuid}, {"name", "widget.num"}, {"value", 100}}}}));
  expectDenied(alpha->call("DELETE", "/zstack/v1/accounts/" + betaUuid));
  expectDenied(alpha->call("PUT", "/zstack/v1/accounts/" + betaUuid,
                           {{"updateAccount", {{"name", "owned"}}}}));
  expectDenied(alpha->call("PUT", "/zstack/v1/accounts/" + alphaUuid,
                           {{"updateAccount", {{"state", "Disabled"}}}}));
  expectDenied(alpha->send("GET", "/zstack/v1/accounts/quota/" + betaUuid + "/usages"));
  EXPECT_EQ(
      parse(client().send("GET", "/zstack/v1/accounts/" + betaUuid))["inventories"][0]["name"],
      "beta");
}

TEST_F(IdentitySecurityTest, ParametersCannotNameAnotherOwnersResource) {
  createAccount("alpha");
  std::string betaUuid = createAccount("beta")["uuid"];
  auto alpha = loginAs("alpha");
  auto beta = loginAs("beta");
  std::string parent = widget(*alpha, "parent")["uuid"];
  expectDenied(createWidget(*beta, "child", parent));

  // Shared, it may be referred to (but still not changed).
  auto shared = alpha->call(
      "PUT", "/zstack/v1/accounts/resources/actions",
      {{"shareResource",
        {{"resourceUuids", {parent}}, {"accountUuids", {betaUuid}}, {"toPublic", false}}}});
  ASSERT_EQ(shared.status, 200) << shared.body;
  auto child = createWidget(*beta, "child", parent);
  ASSERT_EQ(child.status, 200) << child.body;
  EXPECT_EQ(parse(child)["inventory"]["parentUuid"], parent);
  expectDenied(beta->call("DELETE", "/zstack/v1/test/widgets/" + parent));
}

TEST_F(IdentitySecurityTest, SharingRevokingAndChangingTheOwner) {
  std::string alphaUuid = createAccount("alpha")["uuid"];
  std::string betaUuid = createAccount("beta")["uuid"];
  createAccount("gamma");
  auto alpha = loginAs("alpha");
  auto beta = loginAs("beta");
  auto gamma = loginAs("gamma");
  std::string uuid = widget(*alpha, "w")["uuid"];
  std::string actions = "/zstack/v1/accounts/resources/actions";

  // The manual's OCR spellings are accepted too.
  ASSERT_EQ(alpha
                ->call("PUT", actions,
                       {{"shareResource", {{"resourceUids", {uuid}}, {"accountUids", {betaUuid}}}}})
                .status,
            200);
  EXPECT_EQ(visibleWidgets(*beta), std::vector<std::string>{uuid});
  EXPECT_TRUE(visibleWidgets(*gamma).empty());
  Json shares = parse(alpha->send("GET", "/zstack/v1/accounts/resources"))["inventories"];
  ASSERT_EQ(shares.size(), 1u) << shares;
  EXPECT_EQ(shares[0]["receiverAccountUuid"], betaUuid);
  EXPECT_EQ(shares[0]["resourceType"], "TestWidgetVO");
  EXPECT_EQ(shares[0]["toPublic"], false);
  Json refs = parse(alpha->send("GET", "/zstack/v1/accounts/resources/refs"))["inventories"];
  ASSERT_EQ(refs.size(), 1u) << refs;
  EXPECT_EQ(refs[0]["resourceUuid"], uuid);
  EXPECT_EQ(refs[0]["isShared"], true);

  ASSERT_EQ(alpha
                ->call("PUT", actions,
                       {{"revokeResourceSharing",
                         {{"resourceUuids", {uuid}}, {"accountUuids", {betaUuid}}}}})
                .status,
            200);
  EXPECT_TRUE(visibleWidgets(*beta).empty());

  ASSERT_EQ(alpha
                ->call("PUT", actions,
                       {{"shareResource", {{"resourceUuids", {uuid}}, {"toPublic", true}}}})
                .status,
            200);
  EXPECT_EQ(visibleWidgets(*gamma), std::vector<std::string>{uuid});
  ASSERT_EQ(alpha
                ->call("PUT", actions,
                       {{"revokeResourceSharing", {{"resourceUuids", {uuid}}, {"all", true}}}})
                .status,
            200);
  EXPECT_TRUE(visibleWidgets(*gamma).empty());

  // Only the owner (or an admin) may give it away.
  expectDenied(beta->call("POST", "/zstack/v1/account/" + betaUuid + "/resources",
                          {{"params", {{"resourceUuid", uuid}}}}));
  auto moved = alpha->call("POST", "/zstack/v1/account/" + betaUuid + "/resources",
                           {{"params", {{"resourceUuid", uuid}}}});
  ASSERT_EQ(moved.status, 200) << moved.body;
  Json ref = parse(moved)["inventory"];
  EXPECT_EQ(ref["accountUuid"], betaUuid);
  EXPECT_EQ(ref["resourceUuid"], uuid);
  EXPECT_EQ(ref["resourceType"], "TestWidgetVO");
  EXPECT_EQ(ref["isShared"], false);
  EXPECT_EQ(visibleWidgets(*beta), std::vector<std::string>{uuid});
  EXPECT_TRUE(visibleWidgets(*alpha).empty());
  auto renamed = beta->call("PUT", "/zstack/v1/test/widgets/" + uuid + "/actions",
                            {{"updateTestWidget", {{"name", "b"}}}});
  EXPECT_EQ(renamed.status, 200) << renamed.body;
  (void)alphaUuid;
}

TEST_F(IdentitySecurityTest, DeletedAccountsSessionsStopAtOnce) {
  std::string uuid = createAccount("leaving")["uuid"];
  auto leaving = loginAs("leaving");
  createUser(*leaving, "u");
  auto user = userClient("leaving", "u");
  std::string widgetUuid = widget(*leaving, "w")["uuid"];

  auto refused = client().call("DELETE", "/zstack/v1/accounts/" + uuid);
  ASSERT_EQ(refused.status, 503) << refused.body;
  EXPECT_NE(
      parse(refused)["error"]["description"].get<std::string>().find("still owns 1 resources"),
      std::string::npos)
      << refused.body;
  ASSERT_EQ(leaving->call("DELETE", "/zstack/v1/test/widgets/" + widgetUuid).status, 200);
  ASSERT_EQ(leaving->send("GET", "/zstack/v1/accounts").status, 200);

  ASSERT_EQ(client().call("DELETE", "/zstack/v1/accounts/" + uuid).status, 200);
  for (const auto* c : {leaving.get(), user.get()}) {
    auto next = c->send("GET", "/zstack/v1/test/widgets");
    EXPECT_EQ(next.status, 400) << next.body;
    EXPECT_EQ(parse(next)["error"]["code"], "ID.1001") << next.body;
  }
  EXPECT_TRUE(ZStackClient(client().port()).login("leaving", "pw").empty());
}

TEST_F(IdentitySecurityTest, WrongPasswordsRevealNothingAndAreThrottled) {
  createAccount("real");
  auto login = [&](const std::string& name, const std::string& password) {
    return client().send(
        "PUT", "/zstack/v1/accounts/login",
        {{"logInByAccount", {{"accountName", name}, {"password", sha512Hex(password)}}}});
  };
  auto wrong = login("real", "nope");
  auto unknown = login("ghost", "nope");
  EXPECT_EQ(wrong.status, 400) << wrong.body;
  EXPECT_EQ(wrong.status, unknown.status);
  EXPECT_EQ(parse(wrong)["error"]["description"], parse(unknown)["error"]["description"]);
  auto userWrong = logInByUser("real", "nobody", "x");
  auto userUnknown = logInByUser("ghost", "nobody", "x");
  EXPECT_EQ(userWrong.status, 400);
  EXPECT_EQ(parse(userWrong)["error"]["description"], parse(userUnknown)["error"]["description"]);

  for (int i = 0; i < 4; ++i) login("real", "nope");
  auto blocked = login("real", "pw");
  EXPECT_EQ(blocked.status, 400) << blocked.body;
  EXPECT_NE(
      parse(blocked)["error"]["description"].get<std::string>().find("too many failed logins"),
      std::string::npos)
      << blocked.body;
}

}  // namespace
}  // namespace strato::test
