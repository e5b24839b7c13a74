// AccessControl on a real SQLite database with the kernel's tables: who may call what with which
// parameters, query scopes, and the bookkeeping after a create or a delete.
#include "rest/access_control.h"

#include <gtest/gtest.h>

#include "db/migrator.h"
#include "db/poco_database.h"
#include "extension/extension_registry.h"
#include "query/inventory_catalog.h"
#include "schema/kernel_schema.h"
#include "strato/time_format.h"
#include "support/temp_dir.h"

namespace strato::kernel {
namespace {

const std::string kAlice = "a0000000000000000000000000000001";
const std::string kBob = "b0000000000000000000000000000001";
const std::string kAliceWidget = "a1111111111111111111111111111111";
const std::string kBobWidget = "b1111111111111111111111111111111";

ApiDeclaration api(std::string name, HttpMethod method, bool adminOnly = false) {
  ApiDeclaration a;
  a.name = std::move(name);
  a.method = method;
  a.inventory = "Widget";
  a.adminOnly = adminOnly;
  return a;
}

std::optional<SessionInfo> session(const std::string& account, bool admin = false) {
  return SessionInfo{"s-" + account, account, account, admin};
}

class AccessControlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DatabaseUrl url;
    url.sqlitePath = (dir_.path() / "db").string();
    db_ = openDatabase({url, 2, 1000}).value();
    ASSERT_TRUE(applyMigrations(*db_, "kernel", kernelMigrations()).ok());
    ASSERT_TRUE(db_->execute("CREATE TABLE widget (uuid VARCHAR(32) PRIMARY KEY, name TEXT)").ok());
    ASSERT_TRUE(
        inventories_.addAll({{"Widget", "widget", "", {{"uuid"}, {"name"}}, {}, true, ""}}, "test")
            .ok());
    access_ = std::make_unique<AccessControl>(*db_, extensions_, inventories_);
    for (const auto& [widget, owner] :
         {std::pair{kAliceWidget, kAlice}, std::pair{kBobWidget, kBob}}) {
      ASSERT_TRUE(access_
                      ->recordOutcome(session(owner), api("CreateWidget", HttpMethod::kPost),
                                      Json::object(), {{"inventory", {{"uuid", widget}}}})
                      .ok());
    }
  }

  void share(const std::string& widget, const std::string& owner,
             const std::optional<std::string>& to) {
    DbValue receiver;
    if (to) receiver = *to;
    ASSERT_TRUE(
        db_->execute(
               "INSERT INTO shared_resource (ownerAccountUuid, receiverAccountUuid, toPublic, "
               "resourceType, resourceUuid, createDate, lastOpDate) VALUES (?, ?, ?, 'WidgetVO', "
               "?, 1, 1)",
               {owner, receiver, std::int64_t{to ? 0 : 1}, widget})
            .ok());
  }

  std::int64_t rows(const std::string& table, const std::string& uuid) {
    return std::get<std::int64_t>(
        db_->query("SELECT COUNT(*) FROM " + table + " WHERE resourceUuid = ?", {uuid})
            .value()
            .rows[0][0]);
  }

  test::TempDir dir_{"access-test"};
  std::shared_ptr<Database> db_;
  ExtensionRegistry extensions_;
  InventoryCatalog inventories_;
  std::unique_ptr<AccessControl> access_;
};

TEST_F(AccessControlTest, CreationRecordsTheCallersAccountOnce) {
  auto owner = db_->query(
      "SELECT accountUuid, resourceType FROM account_resource_ref WHERE resourceUuid = ?",
      {kAliceWidget});
  ASSERT_EQ(owner.value().rows.size(), 1u);
  EXPECT_EQ(std::get<std::string>(owner.value().rows[0][0]), kAlice);
  EXPECT_EQ(std::get<std::string>(owner.value().rows[0][1]), "WidgetVO");
  // An update that answers with the inventory does not take the resource over.
  ASSERT_TRUE(access_
                  ->recordOutcome(session(kBob), api("UpdateWidget", HttpMethod::kPost),
                                  Json::object(), {{"inventory", {{"uuid", kAliceWidget}}}})
                  .ok());
  EXPECT_EQ(std::get<std::string>(
                db_->query("SELECT accountUuid FROM account_resource_ref WHERE resourceUuid = ?",
                           {kAliceWidget})
                    .value()
                    .rows[0][0]),
            kAlice);
}

TEST_F(AccessControlTest, AdminOnlyApisAreRefusedToOthers) {
  auto zoneApi = api("CreateZone", HttpMethod::kPost, true);
  EXPECT_TRUE(access_->authorize(session(kAlice, true), zoneApi, Json::object()).ok());
  EXPECT_TRUE(access_->authorize(std::nullopt, zoneApi, Json::object()).ok())
      << "no session: login-style API";
  auto refused = access_->authorize(session(kAlice), zoneApi, Json::object());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kPermissionDenied);
}

TEST_F(AccessControlTest, AnotherAccountsResourceIsRefusedInAnyParameter) {
  auto update = api("UpdateWidget", HttpMethod::kPut);
  EXPECT_TRUE(access_->authorize(session(kAlice), update, {{"uuid", kAliceWidget}}).ok());
  EXPECT_FALSE(access_->authorize(session(kAlice), update, {{"uuid", kBobWidget}}).ok());
  EXPECT_FALSE(
      access_
          ->authorize(session(kAlice), update, {{"uuid", kAliceWidget}, {"parentUuid", kBobWidget}})
          .ok());
  EXPECT_FALSE(
      access_->authorize(session(kAlice), update, {{"uuids", {kAliceWidget, kBobWidget}}}).ok());
  EXPECT_TRUE(access_->authorize(session(kAlice, true), update, {{"uuid", kBobWidget}}).ok())
      << "admin";
  // A uuid nobody owns (a zone, or nothing at all) is the handler's business.
  EXPECT_TRUE(
      access_
          ->authorize(session(kAlice), update, {{"zoneUuid", "c0000000000000000000000000000001"}})
          .ok());
}

TEST_F(AccessControlTest, SharedResourcesMayBeReferredToButNotTargeted) {
  auto update = api("UpdateWidget", HttpMethod::kPut);
  share(kBobWidget, kBob, kAlice);
  EXPECT_TRUE(
      access_
          ->authorize(session(kAlice), update, {{"uuid", kAliceWidget}, {"parentUuid", kBobWidget}})
          .ok());
  EXPECT_FALSE(access_->authorize(session(kAlice), update, {{"uuid", kBobWidget}}).ok());
  const std::string carol = "c0000000000000000000000000000009";
  EXPECT_FALSE(access_->authorize(session(carol), update, {{"parentUuid", kBobWidget}}).ok())
      << "shared to Alice only";
  share(kBobWidget, kBob, std::nullopt);
  EXPECT_TRUE(access_->authorize(session(carol), update, {{"parentUuid", kBobWidget}}).ok())
      << "now public";
}

TEST_F(AccessControlTest, ScopesAreForNonAdminsOnly) {
  EXPECT_FALSE(access_->scopeFor(session(kAlice, true)).has_value());
  EXPECT_FALSE(access_->scopeFor(std::nullopt).has_value());
  ASSERT_TRUE(access_->scopeFor(session(kAlice)).has_value());
  EXPECT_EQ(access_->scopeFor(session(kAlice))->accountUuid, kAlice);
}

TEST_F(AccessControlTest, DeletionForgetsOwnershipSharesAndTags) {
  share(kBobWidget, kBob, kAlice);
  ASSERT_TRUE(
      db_->execute(
             "INSERT INTO user_tag (uuid, resourceUuid, resourceType, tag, createDate, lastOpDate) "
             "VALUES ('d0000000000000000000000000000001', ?, 'WidgetVO', 't', 1, 1)",
             {kBobWidget})
          .ok());
  auto deleteWidget = [&] {
    return access_->recordOutcome(session(kBob), api("DeleteWidget", HttpMethod::kDelete),
                                  {{"uuid", kBobWidget}}, Json::object());
  };
  // Only marked deleted (its row stays, as an image under a Delay policy): still owned.
  ASSERT_TRUE(db_->execute("INSERT INTO widget (uuid, name) VALUES (?, 'w')", {kBobWidget}).ok());
  ASSERT_TRUE(deleteWidget().ok());
  EXPECT_EQ(rows("account_resource_ref", kBobWidget), 1);
  // Gone: forgotten.
  ASSERT_TRUE(db_->execute("DELETE FROM widget WHERE uuid = ?", {kBobWidget}).ok());
  ASSERT_TRUE(deleteWidget().ok());
  for (const char* table : {"account_resource_ref", "shared_resource", "user_tag"}) {
    EXPECT_EQ(rows(table, kBobWidget), 0) << table;
  }
  EXPECT_EQ(rows("account_resource_ref", kAliceWidget), 1);
}

}  // namespace
}  // namespace strato::kernel
