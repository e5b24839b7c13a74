// Every API of section 9.1 of the ZStack manual (identity) over HTTP against a running
// strato-server, with the request and response shapes the manual documents.
#include <algorithm>

#include "integration/identity_rest_fixture.h"

namespace strato::test {
namespace {

using IdentityApiTest = IdentityRestTest;

TEST_F(IdentityApiTest, AccountLifecycle) {
  Json account = createAccount("tenant");
  EXPECT_EQ(account["name"], "tenant");
  EXPECT_EQ(account["type"], "Normal");
  EXPECT_EQ(account["state"], "Enabled");
  EXPECT_TRUE(isGsonDate(account["createDate"])) << account;
  EXPECT_TRUE(isGsonDate(account["lastOpDate"])) << account;
  EXPECT_FALSE(account.contains("passwordHash"));
  std::string uuid = account["uuid"];

  // Quota rows come with the account (the widget's here; other loaded plugins add their own).
  auto quotas = client().send(
      "GET", "/zstack/v1/accounts/quotas?q=identityUuid=" + uuid + "&q=name=widget.num");
  ASSERT_EQ(quotas.status, 200) << quotas.body;
  ASSERT_EQ(parse(quotas)["inventories"].size(), 1u) << quotas.body;
  Json quota = parse(quotas)["inventories"][0];
  EXPECT_EQ(quota["name"], "widget.num");
  EXPECT_EQ(quota["value"], 3);
  EXPECT_EQ(quota["identityType"], "AccountVO");

  // The admin sees every account; the tenant only itself.
  auto all = client().send("GET", "/zstack/v1/accounts");
  EXPECT_EQ(parse(all)["inventories"].size(), 2u) << all.body;
  auto tenant = loginAs("tenant");
  auto own = tenant->send("GET", "/zstack/v1/accounts");
  ASSERT_EQ(parse(own)["inventories"].size(), 1u) << own.body;
  EXPECT_EQ(parse(own)["inventories"][0]["uuid"], uuid);
  EXPECT_EQ(parse(tenant->send("GET", "/zstack/v1/accounts/" + uuid))["inventories"][0]["name"],
            "tenant");

  // UpdateAccount: a tenant changes its password only with the old one.
  std::string path = "/zstack/v1/accounts/" + uuid;
  expectDenied(tenant->call(
      "PUT", path,
      {{"updateAccount", {{"password", sha512Hex("new")}, {"oldPassword", sha512Hex("bad")}}}}));
  auto changed = tenant->call("PUT", path,
                              {{"updateAccount",
                                {{"password", sha512Hex("new")},
                                 {"oldPassword", sha512Hex("pw")},
                                 {"description", "mine"}}}});
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(parse(changed)["inventory"]["description"], "mine");
  EXPECT_TRUE(ZStackClient(client().port()).login("tenant", "pw").empty());
  tenant = loginAs("tenant", "new");

  // Disabling ends the account's sessions at once and stops logins; enabling lets it back in.
  auto disabled =
      client().call("PUT", path, {{"updateAccount", {{"state", "Disabled"}, {"name", "tenant2"}}}});
  ASSERT_EQ(disabled.status, 200) << disabled.body;
  EXPECT_EQ(parse(disabled)["inventory"]["state"], "Disabled");
  EXPECT_EQ(parse(disabled)["inventory"]["name"], "tenant2");
  auto after = tenant->send("GET", "/zstack/v1/accounts");
  EXPECT_EQ(after.status, 400) << after.body;
  EXPECT_EQ(parse(after)["error"]["code"], "ID.1001");
  EXPECT_TRUE(ZStackClient(client().port()).login("tenant2", "new").empty());
  ASSERT_EQ(client().call("PUT", path, {{"updateAccount", {{"state", "Enabled"}}}}).status, 200);
  loginAs("tenant2", "new");

  auto deleted = client().call("DELETE", path + "?deleteMode=Permissive");
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(parse(deleted), Json::object());
  EXPECT_TRUE(parse(client().send("GET", path))["inventories"].empty());
  EXPECT_TRUE(parse(client().send(
      "GET", "/zstack/v1/accounts/quotas?q=identityUuid=" + uuid))["inventories"]
                  .empty());
}

TEST_F(IdentityApiTest, UsersGroupsAndPolicies) {
  std::string accountUuid = createAccount("acme")["uuid"];
  auto acme = loginAs("acme");
  Json user = createUser(*acme, "alice");
  EXPECT_EQ(user["name"], "alice");
  EXPECT_EQ(user["accountUuid"], accountUuid);
  EXPECT_TRUE(isGsonDate(user["createDate"]));
  std::string userUuid = user["uuid"];
  auto users = acme->send("GET", "/zstack/v1/accounts/users/" + userUuid);
  ASSERT_EQ(parse(users)["inventories"].size(), 1u) << users.body;

  auto updated = acme->call(
      "PUT", "/zstack/v1/accounts/users/actions",
      {{"updateUser", {{"uuid", userUuid}, {"name", "alice2"}, {"password", sha512Hex("pw2")}}}});
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(parse(updated), Json::object());

  auto login = logInByUser("acme", "alice2", "pw2");
  ASSERT_EQ(login.status, 200) << login.body;
  Json session = parse(login)["inventory"];
  EXPECT_EQ(session["accountUuid"], accountUuid);
  EXPECT_EQ(session["userUuid"], userUuid);
  EXPECT_TRUE(isGsonDate(session["expiredDate"]));

  auto group =
      acme->call("POST", "/zstack/v1/accounts/groups", {{"params", {{"name", "usergroup"}}}});
  ASSERT_EQ(group.status, 200) << group.body;
  Json g = parse(group)["inventory"];
  EXPECT_EQ(g["accountUuid"], accountUuid);
  std::string groupUuid = g["uuid"];
  auto renamed = acme->call("PUT", "/zstack/v1/accounts/groups/actions",
                            {{"updateUserGroup", {{"uuid", groupUuid}, {"name", "newname"}}}});
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(parse(renamed)["inventory"]["name"], "newname");
  EXPECT_EQ(parse(acme->send("GET", "/zstack/v1/accounts/groups"))["inventories"].size(), 1u);

  std::string groupPath = "/zstack/v1/accounts/groups/" + groupUuid;
  ASSERT_EQ(acme->call("POST", groupPath + "/users", {{"params", {{"userUuid", userUuid}}}}).status,
            200);
  ASSERT_EQ(acme->call("POST", groupPath + "/users", {{"params", {{"userId", userUuid}}}}).status,
            200);
  ASSERT_EQ(acme->call("DELETE", groupPath + "/users/" + userUuid).status, 200);

  Json statements = Json::array(
      {{{"name", "reset"}, {"effect", "Allow"}, {"actions", {"identity:APIUpdateUserMsg"}}}});
  Json policy = createPolicy(*acme, "USER-RESET-PASSWORD", statements);
  EXPECT_EQ(policy["statements"], statements);
  EXPECT_EQ(policy["accountUuid"], accountUuid);
  std::string policyUuid = policy["uuid"];
  auto policies = acme->send("GET", "/zstack/v1/accounts/policies/" + policyUuid);
  ASSERT_EQ(parse(policies)["inventories"].size(), 1u) << policies.body;
  EXPECT_EQ(parse(policies)["inventories"][0]["statements"], statements);
  auto bad = acme->call(
      "POST", "/zstack/v1/accounts/policies",
      {{"params", {{"name", "x"}, {"statements", {{{"effect", "Maybe"}, {"actions", {"*"}}}}}}}});
  EXPECT_EQ(bad.status, 503) << bad.body;

  std::string userPath = "/zstack/v1/accounts/users/" + userUuid;
  ASSERT_EQ(
      acme->call("POST", userPath + "/policies", {{"params", {{"policyUuid", policyUuid}}}}).status,
      200);
  ASSERT_EQ(acme->call("DELETE", userPath + "/policies/" + policyUuid).status, 200);
  ASSERT_EQ(acme->call("POST", userPath + "/policy-collection",
                       {{"params", {{"policyUuids", {policyUuid}}}}})
                .status,
            200);
  auto detached = acme->call("DELETE", userPath + "/policies?policyUuids=" + policyUuid);
  ASSERT_EQ(detached.status, 200) << detached.body;
  ASSERT_EQ(acme->call("POST", groupPath + "/policies", {{"params", {{"policyUuid", policyUuid}}}})
                .status,
            200);
  ASSERT_EQ(acme->call("DELETE", groupPath + "/policies/" + policyUuid).status, 200);

  Json names = parse(acme->send(
      "GET", "/zstack/v1/resources/names?uuids=" + userUuid + "," + groupUuid))["inventories"];
  ASSERT_EQ(names.size(), 2u) << names;
  EXPECT_EQ(names[0],
            (Json{{"uuid", userUuid}, {"resourceName", "alice2"}, {"resourceType", "UserVO"}}));
  EXPECT_EQ(names[1]["resourceType"], "UserGroupVO");

  ASSERT_EQ(acme->call("DELETE", "/zstack/v1/accounts/policies/" + policyUuid).status, 200);
  ASSERT_EQ(acme->call("DELETE", groupPath).status, 200);
  // Deleting a user ends its sessions.
  auto alice = userClient("acme", "alice2", "pw2");
  ASSERT_EQ(alice->send("GET", "/zstack/v1/accounts/users").status, 200);
  ASSERT_EQ(acme->call("DELETE", userPath).status, 200);
  EXPECT_EQ(alice->send("GET", "/zstack/v1/accounts/users").status, 400);
  EXPECT_TRUE(parse(acme->send("GET", "/zstack/v1/accounts/users"))["inventories"].empty());
}

TEST_F(IdentityApiTest, PoliciesDecideWhatAUserMayDo) {
  createAccount("acme");
  auto acme = loginAs("acme");
  std::string userUuid = createUser(*acme, "bob")["uuid"];
  auto bob = userClient("acme", "bob");
  // Reads need no policy; anything else does.
  EXPECT_EQ(bob->send("GET", "/zstack/v1/test/widgets").status, 200);
  expectDenied(createWidget(*bob, "w"));

  std::string allow =
      createPolicy(*acme, "widgets",
                   Json::array({{{"effect", "Allow"}, {"actions", {"testWidget:*"}}}}))["uuid"];
  std::string deny = createPolicy(
      *acme, "no-delete",
      Json::array(
          {{{"effect", "Deny"}, {"actions", {"org.zstack.test.APIDeleteTestWidgetMsg"}}}}))["uuid"];
  ASSERT_EQ(acme->call("POST", "/zstack/v1/accounts/users/" + userUuid + "/policies",
                       {{"params", {{"policyUuid", allow}}}})
                .status,
            200);
  std::string groupUuid = parse(acme->call("POST", "/zstack/v1/accounts/groups",
                                           {{"params", {{"name", "g"}}}}))["inventory"]["uuid"];
  ASSERT_EQ(acme->call("POST", "/zstack/v1/accounts/groups/" + groupUuid + "/users",
                       {{"params", {{"userUuid", userUuid}}}})
                .status,
            200);
  ASSERT_EQ(acme->call("POST", "/zstack/v1/accounts/groups/" + groupUuid + "/policies",
                       {{"params", {{"policyUuid", deny}}}})
                .status,
            200);

  auto created = createWidget(*bob, "w");
  ASSERT_EQ(created.status, 200) << created.body;
  std::string widgetUuid = parse(created)["inventory"]["uuid"];
  expectDenied(bob->call("DELETE", "/zstack/v1/test/widgets/" + widgetUuid));
  // A user's widget belongs to its account.
  EXPECT_EQ(visibleWidgets(*acme), std::vector<std::string>{widgetUuid});

  auto check = acme->call(
      "PUT", "/zstack/v1/accounts/permissions/actions",
      {{"checkApiPermission",
        {{"userUuid", userUuid},
         {"apiNames",
          {"CreateTestWidget", "APIDeleteTestWidgetMsg", "APICreateUserMsg", "QueryUser"}}}}});
  ASSERT_EQ(check.status, 200) << check.body;
  EXPECT_EQ(parse(check)["inventory"], (Json{{"CreateTestWidget", "Allow"},
                                             {"APIDeleteTestWidgetMsg", "Deny"},
                                             {"APICreateUserMsg", "Deny"},
                                             {"QueryUser", "Allow"}}));
  // Without a policy for it, a user cannot make itself more powerful.
  expectDenied(bob->call("POST", "/zstack/v1/accounts/users/" + userUuid + "/policies",
                         {{"params", {{"policyUuid", deny}}}}));
  expectDenied(
      bob->call("POST", "/zstack/v1/accounts/policies",
                {{"params",
                  {{"name", "all"},
                   {"statements", Json::array({{{"effect", "Allow"}, {"actions", {"*"}}}})}}}}));
}

TEST_F(IdentityApiTest, QuotasLimitAndReportUsage) {
  std::string uuid = createAccount("small")["uuid"];
  auto small = loginAs("small");
  for (int i = 0; i < 3; ++i) widget(*small, "w" + std::to_string(i));
  auto fourth = createWidget(*small, "w3");
  expectDenied(fourth);
  EXPECT_NE(parse(fourth)["error"]["description"].get<std::string>().find(
                "quota exceeded: widget.num (used 3 of 3)"),
            std::string::npos)
      << fourth.body;

  auto usage = small->send("GET", "/zstack/v1/accounts/quota/" + uuid + "/usages");
  ASSERT_EQ(usage.status, 200) << usage.body;
  Json usages = parse(usage)["usages"];
  auto widgets = std::find_if(usages.begin(), usages.end(),
                              [](const Json& u) { return u["name"] == "widget.num"; });
  ASSERT_NE(widgets, usages.end()) << usage.body;
  EXPECT_EQ(*widgets, (Json{{"name", "widget.num"}, {"total", 3}, {"used", 3}}));
  auto mine = small->send("GET", "/zstack/v1/accounts/quotas?q=name=widget.num");
  ASSERT_EQ(parse(mine)["inventories"].size(), 1u) << mine.body;

  expectDenied(small->call(
      "PUT", "/zstack/v1/accounts/quotas/actions",
      {{"updateQuota", {{"identityUuid", uuid}, {"name", "widget.num"}, {"value", 10}}}}));
  auto raised = client().call(
      "PUT", "/zstack/v1/accounts/quotas/actions",
      {{"updateQuota", {{"identityUuid", uuid}, {"name", "widget.num"}, {"value", 4.0}}}});
  ASSERT_EQ(raised.status, 200) << raised.body;
  EXPECT_EQ(parse(raised)["inventory"]["value"], 4);
  EXPECT_EQ(parse(raised)["inventory"]["identityUuid"], uuid);
  EXPECT_EQ(createWidget(*small, "w3").status, 200);
  expectDenied(createWidget(*small, "w4"));
  auto unknown =
      client().call("PUT", "/zstack/v1/accounts/quotas/actions",
                    {{"updateQuota", {{"identityUuid", uuid}, {"name", "spaceship.num"}, {"value", 1}}}});
  EXPECT_EQ(unknown.status, 503) << unknown.body;
  EXPECT_EQ(parse(unknown)["error"]["code"], "SYS.1007") << unknown.body;
}

TEST_F(IdentityApiTest, SessionApisAndUnsupportedLoginExtras) {
  auto valid = client().send("GET", "/zstack/v1/accounts/sessions/" + client().session + "/valid");
  ASSERT_EQ(valid.status, 200) << valid.body;
  EXPECT_EQ(parse(valid)["valid"], true);
  auto renewed = client().call("PUT", "/zstack/v1/accounts/sessions/" + client().session + "/renew",
                               {{"renewSession", {{"duration", 600}}}});
  ASSERT_EQ(renewed.status, 200) << renewed.body;
  EXPECT_EQ(parse(renewed)["inventory"]["uuid"], client().session);

  auto state =
      httpRequest("GET", "127.0.0.1", client().port(), "/zstack/v1/twofactorauthentication/state");
  ASSERT_EQ(state.status, 200) << state.body;
  EXPECT_EQ(parse(state), (Json{{"state", "Disable"}}));
  for (const char* path :
       {"/zstack/v1/login/control/captcha?resourceName=admin&loginType=account",
        "/zstack/v1/captcha/refresh?uuid=0123456789abcdef0123456789abcdef",
        "/zstack/v1/twofactorauthentication/secret?name=admin&password=x&type=account"}) {
    auto reply = httpRequest("GET", "127.0.0.1", client().port(), path);
    EXPECT_EQ(reply.status, 503) << path << " " << reply.body;
    EXPECT_EQ(parse(reply)["error"]["code"], "SYS.1009") << reply.body;
    EXPECT_NE(parse(reply)["error"]["description"].get<std::string>().find("not enabled"),
              std::string::npos);
  }

  auto out = httpRequest("DELETE", "127.0.0.1", client().port(),
                         "/zstack/v1/accounts/sessions/" + client().session);
  ASSERT_EQ(out.status, 200) << out.body;
  EXPECT_EQ(parse(client().send(
                "GET", "/zstack/v1/accounts/sessions/" + client().session + "/valid"))["valid"],
            false);
}

}  // namespace
}  // namespace strato::test
