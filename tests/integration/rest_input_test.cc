// Bad input over HTTP: every kind is answered with 400 and a message naming what is wrong, and
// the server stays up.
#include "integration/rest_fixture.h"

namespace strato::test {
namespace {

class RestInputTest : public RestTest {
 protected:
  // Expects a 400 whose description or details mention `needle`.
  void expectBadRequest(const HttpReply& reply, const std::string& needle) {
    EXPECT_EQ(reply.status, 400) << reply.body;
    Json error = parse(reply)["error"];
    std::string text = error.value("description", "") + " " + error.value("details", "");
    EXPECT_NE(text.find(needle), std::string::npos) << "'" << needle << "' not in: " << reply.body;
  }
};

TEST_F(RestInputTest, MalformedJson) {
  auto reply = httpRequest("POST", "127.0.0.1", client().port(), "/zstack/v1/zones",
                           "{\"params\": {", {{"Authorization", "OAuth " + client().session}});
  expectBadRequest(reply, "JSON");
}

TEST_F(RestInputTest, MissingRequiredParameter) {
  expectBadRequest(
      client().send("POST", "/zstack/v1/zones", {{"params", {{"description", "no name"}}}}),
      "'name'");
}

TEST_F(RestInputTest, WrongTypeAndNotAllowedValue) {
  Json zone = createZone("z");
  std::string actions = "/zstack/v1/zones/" + zone["uuid"].get<std::string>() + "/actions";
  expectBadRequest(
      client().send("PUT", actions, {{"changeZoneState", {{"stateEvent", "explode"}}}}),
      "stateEvent");
  expectBadRequest(client().send("PUT", actions, {{"updateZone", {{"name", Json::array({1})}}}}),
                   "'name'");
  expectBadRequest(
      client().send("POST", "/zstack/v1/zones", {{"params", {{"name", "x"}, {"colour", "red"}}}}),
      "colour");
  expectBadRequest(client().send("PUT", actions, {{"changeZoneState", "enable"}}),
                   "changeZoneState");
}

TEST_F(RestInputTest, UnknownActionKey) {
  expectBadRequest(
      client().send("PUT", "/zstack/v1/management-nodes/actions", {{"getNothing", Json::object()}}),
      "getVersion");
}

TEST_F(RestInputTest, UnknownOrMissingSession) {
  auto none = httpRequest("GET", "127.0.0.1", client().port(), "/zstack/v1/zones");
  expectBadRequest(none, "Authorization");
  auto unknown = client().send("GET", "/zstack/v1/zones", nullptr,
                               {{"Authorization", "OAuth 0123456789abcdef0123456789abcdef"}});
  expectBadRequest(unknown, "session");
  EXPECT_EQ(parse(unknown)["error"]["code"], "ID.1001");
  expectBadRequest(
      client().send("GET", "/zstack/v1/zones", nullptr, {{"Authorization", "Bearer x"}}), "OAuth");
}

TEST_F(RestInputTest, BadQueries) {
  createZone("z");
  expectBadRequest(client().send("GET", "/zstack/v1/zones?q=colour=red"), "colour");
  expectBadRequest(client().send("GET", "/zstack/v1/zones?q=name"), "name");
  expectBadRequest(client().send("GET", "/zstack/v1/zones?limit=many"), "limit");
  expectBadRequest(client().send("GET", "/zstack/v1/zones?sort=name"), "sort");
  expectBadRequest(client().send("GET", "/zstack/v1/zones?fields=colour"), "colour");
  expectBadRequest(client().send("GET", "/zstack/v1/zones?q=clusters.name=x"), "clusters");
  expectBadRequest(client().send("GET", "/zstack/v1/zones?flavour=vanilla"), "flavour");
}

TEST_F(RestInputTest, SqlMetacharactersAreJustValues) {
  createZone("plain");
  for (const char* q :
       {"name=x%27%20OR%20%271%27=%271", "name=x;%20DROP%20TABLE%20zone", "name=%22%29--"}) {
    auto reply = client().send("GET", std::string("/zstack/v1/zones?q=") + q);
    ASSERT_EQ(reply.status, 200) << q << ": " << reply.body;
    EXPECT_TRUE(parse(reply)["inventories"].empty()) << q;
  }
  auto named = createZone("it's \"quoted\"; DROP TABLE zone");
  auto found =
      client().send("GET", "/zstack/v1/zones?q=name=it%27s%20%22quoted%22;%20DROP%20TABLE%20zone");
  ASSERT_EQ(found.status, 200) << found.body;
  EXPECT_EQ(parse(found)["inventories"].size(), 1u);
  EXPECT_EQ(parse(client().send("GET", "/zstack/v1/zones"))["inventories"].size(), 2u);
}

TEST_F(RestInputTest, OversizedBody) {
  std::string huge(5 << 20, 'x');
  auto reply = httpRequest("POST", "127.0.0.1", client().port(), "/zstack/v1/zones",
                           R"({"params":{"name":")" + huge + R"("}})",
                           {{"Authorization", "OAuth " + client().session}});
  expectBadRequest(reply, "larger than");
  EXPECT_EQ(client().send("GET", "/zstack/v1/zones").status, 200) << "server still serves";
}

TEST_F(RestInputTest, UnknownPathIs404AndWrongMethodIs405) {
  EXPECT_EQ(client().send("GET", "/zstack/v1/no-such-things").status, 404);
  EXPECT_EQ(client().send("PATCH", "/zstack/v1/zones").status, 405);
  EXPECT_EQ(client().send("DELETE", "/zstack/v1/zones").status, 405);
}

TEST_F(RestInputTest, WrongPasswordIsRefusedAlike) {
  ZStackClient other(client().port());
  EXPECT_TRUE(other.login("admin", "wrong").empty());
  auto wrong =
      other.send("PUT", "/zstack/v1/accounts/login",
                 {{"logInByAccount", {{"accountName", "admin"}, {"password", sha512Hex("nope")}}}});
  auto unknown = other.send(
      "PUT", "/zstack/v1/accounts/login",
      {{"logInByAccount", {{"accountName", "nobody"}, {"password", sha512Hex("nope")}}}});
  EXPECT_EQ(wrong.status, unknown.status);
  EXPECT_EQ(parse(wrong)["error"]["description"], parse(unknown)["error"]["description"]);
}

}  // namespace
}  // namespace strato::test
