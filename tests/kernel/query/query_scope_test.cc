// Queries with a non-admin scope: owned inventories show what the account owns or what is shared
// with it (or public); inventories with an accountField show the account's rows.
#include "query_fixture.h"

namespace strato::kernel::test_db {
namespace {

class QueryScopes : public QueryFixture {
 protected:
  void SetUp() override {
    QueryFixture::SetUp();
    using F = FieldType;
    ASSERT_TRUE(
        catalog_
            .addAll(
                {{"OwnedVm", "vm_instance", "", {{"uuid"}, {"name"}, {"hostUuid"}}, {}, true, ""},
                 {"HostScopedVm",
                  "vm_instance",
                  "",
                  {{"uuid"}, {"hostUuid"}, {"cpuNum", F::kInteger}},
                  {},
                  false,
                  "hostUuid"}},
                "test")
            .ok());
    own("vm-1", "alice");
    own("vm-2", "bob");
    own("vm-3", "bob");
    own("vm-4", "bob");
    share("vm-2", "bob", "alice");
    share("vm-3", "bob", std::nullopt);
  }

  void own(const std::string& uuid, const std::string& account) {
    ASSERT_TRUE(
        db_->execute(
               "INSERT INTO account_resource_ref (resourceUuid, resourceType, accountUuid, "
               "ownerAccountUuid, createDate, lastOpDate) VALUES (?, 'OwnedVmVO', ?, ?, 0, 0)",
               {uuid, account, account})
            .ok());
  }

  void share(const std::string& uuid, const std::string& owner,
             const std::optional<std::string>& to) {
    DbValue receiver;
    if (to) receiver = *to;
    ASSERT_TRUE(
        db_->execute(
               "INSERT INTO shared_resource (ownerAccountUuid, receiverAccountUuid, toPublic, "
               "resourceType, resourceUuid, createDate, lastOpDate) VALUES (?, ?, ?, 'OwnedVmVO', "
               "?, 0, 0)",
               {owner, receiver, std::int64_t{to ? 0 : 1}, uuid})
            .ok());
  }

  Uuids scoped(const std::string& inventory, const std::string& account,
               const Params& params = {}) {
    auto request = parseQueryRequest(params);
    EXPECT_TRUE(request.ok());
    QueryScope scope{account};
    auto reply = QueryEngine(*db_, catalog_).run(inventory, *request, &scope);
    EXPECT_TRUE(reply.ok()) << reply.error().describe();
    Uuids out;
    if (reply) {
      for (const auto& item : reply->at("inventories")) out.push_back(item.at("uuid"));
    }
    return out;
  }
};

TEST_P(QueryScopes, OwnedSharedAndPublicRowsOnly) {
  EXPECT_EQ(scoped("OwnedVm", "alice"), (Uuids{"vm-1", "vm-2", "vm-3"}));
  EXPECT_EQ(scoped("OwnedVm", "bob"), (Uuids{"vm-2", "vm-3", "vm-4"}));
  EXPECT_EQ(scoped("OwnedVm", "carol"), (Uuids{"vm-3"}));
  EXPECT_EQ(scoped("OwnedVm", "alice", {{"q", "uuid?=vm-1,vm-4"}}), (Uuids{"vm-1"}));
  EXPECT_EQ(scoped("OwnedVm", "carol", {{"q", "uuid=vm-1"}}), Uuids{});
  EXPECT_EQ(uuids("OwnedVm", {}).size(), 5u) << "no scope: everything";
}

TEST_P(QueryScopes, CountsAreScopedToo) {
  auto request = parseQueryRequest({{"count", "true"}});
  QueryScope scope{"carol"};
  auto reply = QueryEngine(*db_, catalog_).run("OwnedVm", *request, &scope);
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->at("total"), 1);
}

TEST_P(QueryScopes, AccountFieldSelectsTheAccountsRows) {
  EXPECT_EQ(scoped("HostScopedVm", "host-2"), (Uuids{"vm-3", "vm-5"}));
  EXPECT_EQ(scoped("HostScopedVm", "nobody"), Uuids{});
}

STRATO_INSTANTIATE_DB_TESTS(QueryScopes);

}  // namespace
}  // namespace strato::kernel::test_db
