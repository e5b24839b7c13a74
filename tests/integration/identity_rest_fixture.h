// A strato-server with every in-tree plugin plus the TestWidget fixture plugin (an account-owned
// resource with the quota widget.num = 3), and helpers for accounts, users and widgets.
#pragma once

#include <memory>
#include <regex>
#include <string>

#include "integration/rest_fixture.h"

namespace strato::test {

class IdentityRestTest : public RestTest {
 protected:
  void SetUp() override {
    startServer({"--set", std::string("plugins.files=") + STRATO_WIDGET_PLUGIN});
  }

  Json createAccount(const std::string& name, const std::string& password = "pw") {
    auto reply = client().call("POST", "/zstack/v1/accounts",
                               {{"params", {{"name", name}, {"password", sha512Hex(password)}}}});
    EXPECT_EQ(reply.status, 200) << reply.body;
    return parse(reply)["inventory"];
  }

  std::unique_ptr<ZStackClient> loginAs(const std::string& name,
                                        const std::string& password = "pw") {
    auto c = std::make_unique<ZStackClient>(client().port());
    EXPECT_FALSE(c->login(name, password).empty()) << "login of " << name << " failed";
    return c;
  }

  HttpReply logInByUser(const std::string& account, const std::string& user,
                        const std::string& password) {
    return client().send(
        "PUT", "/zstack/v1/accounts/users/login",
        {{"logInByUser",
          {{"accountName", account}, {"userName", user}, {"password", sha512Hex(password)}}}});
  }

  std::unique_ptr<ZStackClient> userClient(const std::string& account, const std::string& user,
                                           const std::string& password = "upw") {
    auto c = std::make_unique<ZStackClient>(client().port());
    auto reply = logInByUser(account, user, password);
    EXPECT_EQ(reply.status, 200) << reply.body;
    c->session = parse(reply)["inventory"].value("uuid", "");
    return c;
  }

  Json createUser(const ZStackClient& c, const std::string& name,
                  const std::string& password = "upw") {
    auto reply = c.call("POST", "/zstack/v1/accounts/users",
                        {{"params", {{"name", name}, {"password", sha512Hex(password)}}}});
    EXPECT_EQ(reply.status, 200) << reply.body;
    return parse(reply)["inventory"];
  }

  Json createPolicy(const ZStackClient& c, const std::string& name, const Json& statements) {
    auto reply = c.call("POST", "/zstack/v1/accounts/policies",
                        {{"params", {{"name", name}, {"statements", statements}}}});
    EXPECT_EQ(reply.status, 200) << reply.body;
    return parse(reply)["inventory"];
  }

  HttpReply createWidget(const ZStackClient& c, const std::string& name,
                         const std::string& parent = "") {
    Json params{{"name", name}};
    if (!parent.empty()) params["parentUuid"] = parent;
    return c.call("POST", "/zstack/v1/test/widgets", {{"params", params}});
  }

  Json widget(const ZStackClient& c, const std::string& name) {
    auto reply = createWidget(c, name);
    EXPECT_EQ(reply.status, 200) << reply.body;
    return parse(reply)["inventory"];
  }

  // The uuids of the widgets `c` can see.
  std::vector<std::string> visibleWidgets(const ZStackClient& c) {
    auto reply = c.send("GET", "/zstack/v1/test/widgets");
    EXPECT_EQ(reply.status, 200) << reply.body;
    std::vector<std::string> out;
    Json body = parse(reply);  // kept: a range-for over a temporary's member would dangle
    for (const auto& w : body["inventories"]) out.push_back(w["uuid"]);
    return out;
  }

  // Refused for lack of permission: 403 at once, or a failed job (503), with ZStack's ID.1002.
  static void expectDenied(const HttpReply& reply) {
    EXPECT_TRUE(reply.status == 403 || reply.status == 503) << reply.status << " " << reply.body;
    EXPECT_EQ(parse(reply)["error"]["code"], "ID.1002") << reply.body;
  }

  static bool isGsonDate(const Json& value) {
    static const std::regex kGson(R"([A-Z][a-z]{2} \d{1,2}, \d{4} \d{1,2}:\d{2}:\d{2} [AP]M)");
    return value.is_string() && std::regex_match(value.get<std::string>(), kGson);
  }
};

}  // namespace strato::test
