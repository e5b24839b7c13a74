// Instance and disk offerings over HTTP: a strato-server with the in-tree plugins (the offering
// and identity plugins at least), and helpers for the offering APIs of sections 3.5 and 3.6 and
// for the accounts the ownership tests need.
#pragma once

#include <regex>
#include <set>
#include <string>
#include <vector>

#include "integration/rest_fixture.h"

namespace strato::test {

class OfferingTest : public RestTest {
 protected:
  static constexpr const char* kInstance = "/zstack/v1/instance-offerings";
  static constexpr const char* kDisk = "/zstack/v1/disk-offerings";

  static HttpReply create(const ZStackClient& c, const std::string& path, const Json& params,
                          const Json& userTags = Json::array()) {
    return c.call("POST", path,
                  {{"params", params}, {"systemTags", Json::array()}, {"userTags", userTags}});
  }
  HttpReply create(const std::string& path, const Json& params) {
    return create(client(), path, params);
  }

  // An instance offering with the manual's example values unless `extra` says otherwise.
  Json instanceOffering(const ZStackClient& c, const std::string& name,
                        const Json& extra = Json::object()) {
    Json params{{"name", name}, {"cpuNum", 2}, {"memorySize", 2097152}};
    params.update(extra);
    auto reply = create(c, kInstance, params);
    EXPECT_EQ(reply.status, 200) << reply.body;
    return parse(reply)["inventory"];
  }
  Json instanceOffering(const std::string& name, const Json& extra = Json::object()) {
    return instanceOffering(client(), name, extra);
  }

  Json diskOffering(const ZStackClient& c, const std::string& name, std::int64_t size = 100,
                    const Json& extra = Json::object()) {
    Json params{{"name", name}, {"diskSize", size}};
    params.update(extra);
    auto reply = create(c, kDisk, params);
    EXPECT_EQ(reply.status, 200) << reply.body;
    return parse(reply)["inventory"];
  }
  Json diskOffering(const std::string& name, std::int64_t size = 100,
                    const Json& extra = Json::object()) {
    return diskOffering(client(), name, size, extra);
  }

  HttpReply action(const std::string& path, const std::string& uuid, const Json& body) {
    return action(client(), path, uuid, body);
  }
  static HttpReply action(const ZStackClient& c, const std::string& path, const std::string& uuid,
                          const Json& body) {
    return c.call("PUT", path + "/" + uuid + "/actions", body);
  }

  // GET `path` (with its query string) as `c`; the inventories listed.
  static Json query(const ZStackClient& c, const std::string& path) {
    auto reply = c.send("GET", path);
    EXPECT_EQ(reply.status, 200) << path << ": " << reply.body;
    return parse(reply);
  }
  Json inventories(const std::string& path) { return query(client(), path)["inventories"]; }

  static std::vector<std::string> names(const Json& inventories) {
    std::vector<std::string> out;
    for (const auto& inv : inventories) out.push_back(inv.value("name", ""));
    return out;
  }
  static std::set<std::string> visibleNames(const ZStackClient& c, const std::string& path) {
    auto list = names(query(c, path)["inventories"]);
    return {list.begin(), list.end()};
  }

  Json createAccount(const std::string& name) {
    auto reply = client().call("POST", "/zstack/v1/accounts",
                               {{"params", {{"name", name}, {"password", sha512Hex("pw")}}}});
    EXPECT_EQ(reply.status, 200) << reply.body;
    return parse(reply)["inventory"];
  }
  std::unique_ptr<ZStackClient> loginAs(const std::string& name) {
    auto c = std::make_unique<ZStackClient>(client().port());
    EXPECT_FALSE(c->login(name, "pw").empty()) << "login of " << name << " failed";
    return c;
  }

  static std::string codeOf(const HttpReply& reply) {
    Json body = parse(reply);
    return body.contains("error") ? body["error"].value("code", "") : "";
  }
  // What a failed call said, description and details, to check that it names the parameter.
  static std::string errorText(const HttpReply& reply) {
    Json body = parse(reply);
    if (!body.contains("error")) return {};
    return body["error"].value("description", "") + " " + body["error"].value("details", "");
  }
  // Refused as invalid: 400 from the kernel's checks or a failed job (503), both SYS.1007, with
  // a message naming `param`.
  static void expectInvalid(const HttpReply& reply, const std::string& param) {
    EXPECT_TRUE(reply.status == 400 || reply.status == 503) << reply.status << " " << reply.body;
    EXPECT_EQ(codeOf(reply), "SYS.1007") << reply.body;
    EXPECT_NE(errorText(reply).find(param), std::string::npos) << reply.body;
  }
  static void expectDenied(const HttpReply& reply) {
    EXPECT_TRUE(reply.status == 403 || reply.status == 503) << reply.status << " " << reply.body;
    EXPECT_EQ(codeOf(reply), "ID.1002") << reply.body;
  }

  static bool isGsonDate(const Json& value) {
    static const std::regex kGson(R"([A-Z][a-z]{2} \d{1,2}, \d{4} \d{1,2}:\d{2}:\d{2} [AP]M)");
    return value.is_string() && std::regex_match(value.get<std::string>(), kGson);
  }
  static std::set<std::string> keysOf(const Json& object) {
    std::set<std::string> keys;
    for (const auto& [key, value] : object.items()) keys.insert(key);
    return keys;
  }
};

}  // namespace strato::test
