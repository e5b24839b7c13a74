// Instance offerings (section 3.5) and disk offerings (section 3.6) over HTTP against a real
// strato-server: the manual's requests and reply shapes, bad input, states, updates, deletion,
// query conditions, and who sees and may change which offering.
#include "integration/offering_fixture.h"

namespace strato::test {
namespace {

TEST_F(OfferingTest, CreateInstanceOfferingAnswersTheSeedsInventory) {
  // The manual's request, numbers as the Java SDK sends them (floats).
  auto reply = client().call("POST", kInstance,
                             {{"params",
                               {{"name", "instanceOffering"},
                                {"cpuNum", 2.0},
                                {"memorySize", 2097152.0},
                                {"sortKey", 0.0},
                                {"type", "UserVm"}}},
                              {"systemTags", Json::array()},
                              {"userTags", Json::array()}});
  ASSERT_EQ(reply.status, 200) << reply.body;
  Json inv = parse(reply)["inventory"];
  EXPECT_EQ(keysOf(inv), (std::set<std::string>{"uuid", "name", "cpuNum", "cpuSpeed", "memorySize",
                                                "type", "allocatorStrategy", "sortKey",
                                                "createDate", "lastOpDate", "state"}))
      << inv;
  EXPECT_EQ(inv["uuid"].get<std::string>().size(), 32u);
  EXPECT_EQ(inv["name"], "instanceOffering");
  EXPECT_EQ(inv["cpuNum"], 2);
  EXPECT_EQ(inv["cpuSpeed"], 0);
  EXPECT_EQ(inv["memorySize"], 2097152);
  EXPECT_EQ(inv["type"], "UserVm");
  EXPECT_EQ(inv["allocatorStrategy"], "DefaultHostAllocatorStrategy");
  EXPECT_EQ(inv["sortKey"], 0);
  EXPECT_EQ(inv["state"], "Enabled");
  EXPECT_TRUE(isGsonDate(inv["createDate"])) << inv;
  EXPECT_TRUE(isGsonDate(inv["lastOpDate"])) << inv;

  // GET /instance-offerings/{uuid} answers the same inventory, with ZStack's class name.
  Json byUuid = query(client(), std::string(kInstance) + "/" + inv["uuid"].get<std::string>());
  ASSERT_EQ(byUuid["inventories"].size(), 1u) << byUuid;
  EXPECT_EQ(byUuid["inventories"][0], inv);
  EXPECT_EQ(byUuid["schema"]["inventories[0]"],
            "org.zstack.header.configuration.InstanceOfferingInventory");

  // Every optional parameter.
  std::string uuid = "0123456789abcdef0123456789abcdef";
  Json full =
      instanceOffering("big", {{"description", "eight cores"},
                               {"cpuNum", 8},
                               {"memorySize", 8LL << 30},
                               {"allocatorStrategy", "LeastVmPreferredHostAllocatorStrategy"},
                               {"sortKey", 5},
                               {"resourceUuid", uuid}});
  EXPECT_EQ(full["uuid"], uuid);
  EXPECT_EQ(full["description"], "eight cores");
  EXPECT_EQ(full["memorySize"], 8LL << 30);
  EXPECT_EQ(full["allocatorStrategy"], "LeastVmPreferredHostAllocatorStrategy");
  EXPECT_EQ(full["sortKey"], 5);
  // The same uuid twice.
  auto again =
      create(kInstance, {{"name", "x"}, {"cpuNum", 1}, {"memorySize", 1}, {"resourceUuid", uuid}});
  EXPECT_EQ(again.status, 503) << again.body;
  EXPECT_EQ(codeOf(again), "SYS.1008") << again.body;
}

TEST_F(OfferingTest, CreateInstanceOfferingRefusesBadInput) {
  Json good{{"name", "o"}, {"cpuNum", 1}, {"memorySize", 1024}};
  auto with = [&](const Json& change) {
    Json p = good;
    p.update(change);
    for (auto it = change.begin(); it != change.end(); ++it) {
      if (it.value().is_null()) p.erase(it.key());
    }
    return create(kInstance, p);
  };
  expectInvalid(with({{"cpuNum", nullptr}}), "cpuNum");
  expectInvalid(with({{"memorySize", nullptr}}), "memorySize");
  expectInvalid(with({{"name", nullptr}}), "name");
  expectInvalid(with({{"name", ""}}), "name");
  expectInvalid(with({{"name", std::string(256, 'n')}}), "name");
  expectInvalid(with({{"cpuNum", 0}}), "cpuNum");
  expectInvalid(with({{"cpuNum", -2}}), "cpuNum");
  expectInvalid(with({{"cpuNum", 1025}}), "cpuNum");
  expectInvalid(with({{"cpuNum", 1.5}}), "cpuNum");
  expectInvalid(with({{"cpuNum", "two"}}), "cpuNum");
  expectInvalid(with({{"memorySize", 0}}), "memorySize");
  expectInvalid(with({{"memorySize", -1}}), "memorySize");
  expectInvalid(with({{"sortKey", 1LL << 40}}), "sortKey");
  // "Mevoco" in the manual's reply examples is its generator's filler, not a strategy.
  expectInvalid(with({{"allocatorStrategy", "Mevoco"}}), "allocatorStrategy");
  expectInvalid(with({{"type", "VirtualRouter"}}), "type");
  expectInvalid(with({{"resourceUuid", "not-a-uuid"}}), "resourceUuid");
  expectInvalid(with({{"cpuSpeed", 1}}), "cpuSpeed");
  // Nothing of the refused calls was kept.
  EXPECT_TRUE(inventories(kInstance).empty());
  // The bounds themselves are fine.
  instanceOffering("edge", {{"cpuNum", 1024}, {"memorySize", 1}});
}

TEST_F(OfferingTest, UpdateAndChangeInstanceOfferingState) {
  Json inv = instanceOffering("instanceOffering1");
  std::string uuid = inv["uuid"];
  auto updated = action(kInstance, uuid, {{"updateInstanceOffering", {{"name", "new name"}}}});
  ASSERT_EQ(updated.status, 200) << updated.body;
  Json after = parse(updated)["inventory"];
  EXPECT_EQ(after["name"], "new name");
  EXPECT_EQ(after["cpuNum"], 2);
  EXPECT_EQ(after["createDate"], inv["createDate"]);

  updated = action(
      kInstance, uuid,
      {{"updateInstanceOffering",
        {{"description", "d"}, {"allocatorStrategy", "LastHostPreferredAllocatorStrategy"}}}});
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(parse(updated)["inventory"]["description"], "d");
  EXPECT_EQ(parse(updated)["inventory"]["allocatorStrategy"], "LastHostPreferredAllocatorStrategy");
  EXPECT_EQ(parse(updated)["inventory"]["name"], "new name");

  expectInvalid(action(kInstance, uuid, {{"updateInstanceOffering", {{"allocatorStrategy", "x"}}}}),
                "allocatorStrategy");
  expectInvalid(action(kInstance, uuid, {{"updateInstanceOffering", {{"name", ""}}}}), "name");
  // Sizes are fixed once made: ZStack's update takes none.
  expectInvalid(action(kInstance, uuid, {{"updateInstanceOffering", {{"cpuNum", 4}}}}), "cpuNum");

  auto state =
      action(kInstance, uuid, {{"changeInstanceOfferingState", {{"stateEvent", "disable"}}}});
  ASSERT_EQ(state.status, 200) << state.body;
  EXPECT_EQ(parse(state)["inventory"]["state"], "Disabled");
  EXPECT_EQ(inventories(std::string(kInstance) + "?q=state=Disabled").size(), 1u);
  state = action(kInstance, uuid, {{"changeInstanceOfferingState", {{"stateEvent", "enable"}}}});
  ASSERT_EQ(state.status, 200) << state.body;
  EXPECT_EQ(parse(state)["inventory"]["state"], "Enabled");
  expectInvalid(
      action(kInstance, uuid, {{"changeInstanceOfferingState", {{"stateEvent", "maintain"}}}}),
      "stateEvent");

  // An offering that does not exist.
  std::string missing = "fedcba9876543210fedcba9876543210";
  auto gone = action(kInstance, missing, {{"updateInstanceOffering", {{"name", "n"}}}});
  EXPECT_EQ(gone.status, 503) << gone.body;
  EXPECT_EQ(codeOf(gone), "SYS.1006") << gone.body;
  gone = action(kInstance, missing, {{"changeInstanceOfferingState", {{"stateEvent", "enable"}}}});
  EXPECT_EQ(codeOf(gone), "SYS.1006") << gone.body;
}

TEST_F(OfferingTest, DiskOfferingsAsTheSeedShows) {
  auto reply =
      client().call("POST", kDisk,
                    {{"params", {{"name", "diskOffering1"}, {"diskSize", 100.0}, {"sortKey", 0.0}}},
                     {"systemTags", Json::array()},
                     {"userTags", Json::array()}});
  ASSERT_EQ(reply.status, 200) << reply.body;
  Json inv = parse(reply)["inventory"];
  EXPECT_EQ(keysOf(inv),
            (std::set<std::string>{"uuid", "name", "diskSize", "sortKey", "state", "type",
                                   "createDate", "lastOpDate", "allocatorStrategy"}))
      << inv;
  EXPECT_EQ(inv["diskSize"], 100);
  EXPECT_EQ(inv["state"], "Enabled");
  EXPECT_EQ(inv["type"], "DefaultDiskOfferingType");
  EXPECT_EQ(inv["allocatorStrategy"], "DefaultPrimaryStorageAllocationStrategy");
  EXPECT_TRUE(isGsonDate(inv["createDate"])) << inv;
  std::string uuid = inv["uuid"];
  Json byUuid = query(client(), std::string(kDisk) + "/" + uuid);
  ASSERT_EQ(byUuid["inventories"].size(), 1u) << byUuid;
  EXPECT_EQ(byUuid["inventories"][0], inv);
  EXPECT_EQ(byUuid["schema"]["inventories[0]"],
            "org.zstack.header.configuration.DiskOfferingInventory");

  // The create spells it allocationStrategy; the inventory allocatorStrategy.
  Json local = diskOffering("local", 10LL << 30,
                            {{"allocationStrategy", "LocalStorageAllocatorStrategy"},
                             {"description", "on the host"},
                             {"type", "DefaultDiskOfferingType"}});
  EXPECT_EQ(local["allocatorStrategy"], "LocalStorageAllocatorStrategy");
  EXPECT_EQ(local["description"], "on the host");

  Json good{{"name", "d"}, {"diskSize", 1}};
  auto with = [&](const Json& change) {
    Json p = good;
    p.update(change);
    if (change.contains("diskSize") && change["diskSize"].is_null()) p.erase("diskSize");
    return create(kDisk, p);
  };
  expectInvalid(with({{"diskSize", nullptr}}), "diskSize");
  expectInvalid(with({{"diskSize", 0}}), "diskSize");
  expectInvalid(with({{"diskSize", -100}}), "diskSize");
  expectInvalid(with({{"diskSize", "big"}}), "diskSize");
  expectInvalid(with({{"allocationStrategy", "DefaultHostAllocatorStrategy"}}),
                "allocationStrategy");
  expectInvalid(with({{"allocatorStrategy", "LocalStorageAllocatorStrategy"}}),
                "allocatorStrategy");
  expectInvalid(with({{"type", "UserVm"}}), "type");
  EXPECT_EQ(inventories(kDisk).size(), 2u);

  // 3.6.5 and 3.6.4.
  auto updated =
      action(kDisk, uuid, {{"updateDiskOffering", {{"name", "new name"}, {"description", "x"}}}});
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(parse(updated)["inventory"]["name"], "new name");
  EXPECT_EQ(parse(updated)["inventory"]["description"], "x");
  EXPECT_EQ(parse(updated)["inventory"]["diskSize"], 100);
  expectInvalid(action(kDisk, uuid, {{"updateDiskOffering", {{"allocatorStrategy", "x"}}}}),
                "allocatorStrategy");
  auto state = action(kDisk, uuid, {{"changeDiskOfferingState", {{"stateEvent", "disable"}}}});
  ASSERT_EQ(state.status, 200) << state.body;
  EXPECT_EQ(parse(state)["inventory"]["state"], "Disabled");
  expectInvalid(action(kDisk, uuid, {{"changeDiskOfferingState", {{"stateEvent", "Disabled"}}}}),
                "stateEvent");
}

TEST_F(OfferingTest, DeleteRemovesTheOfferingAndItsTags) {
  auto made = create(client(), kInstance, {{"name", "tagged"}, {"cpuNum", 1}, {"memorySize", 1}},
                     Json::array({"web"}));
  ASSERT_EQ(made.status, 200) << made.body;
  std::string uuid = parse(made)["inventory"]["uuid"];
  Json tags = inventories("/zstack/v1/user-tags?q=resourceUuid=" + uuid);
  ASSERT_EQ(tags.size(), 1u) << tags;
  EXPECT_EQ(tags[0]["resourceType"], "InstanceOfferingVO");
  EXPECT_EQ(inventories(std::string(kInstance) + "?q=__userTag__=web").size(), 1u);

  auto deleted =
      client().call("DELETE", std::string(kInstance) + "/" + uuid + "?deleteMode=Permissive");
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(parse(deleted), Json::object());
  EXPECT_TRUE(inventories(std::string(kInstance) + "/" + uuid).empty());
  EXPECT_TRUE(inventories("/zstack/v1/user-tags?q=resourceUuid=" + uuid).empty());
  // What is gone stays gone: deleting it again succeeds.
  deleted = client().call("DELETE", std::string(kInstance) + "/" + uuid);
  EXPECT_EQ(deleted.status, 200) << deleted.body;

  std::string disk = diskOffering("d")["uuid"];
  std::string kept = diskOffering("kept")["uuid"];
  deleted = client().call("DELETE", std::string(kDisk) + "/" + disk + "?deleteMode=Enforcing");
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(names(inventories(kDisk)), std::vector<std::string>{"kept"});
  EXPECT_EQ(inventories(std::string(kDisk) + "/" + kept).size(), 1u);
}

TEST_F(OfferingTest, QueryConditionsSortAndCount) {
  instanceOffering("small", {{"cpuNum", 1}, {"memorySize", 1LL << 30}, {"sortKey", 3}});
  instanceOffering("medium", {{"cpuNum", 2}, {"memorySize", 4LL << 30}, {"sortKey", 2}});
  instanceOffering("large", {{"cpuNum", 8},
                             {"memorySize", 16LL << 30},
                             {"sortKey", 1},
                             {"allocatorStrategy", "MinimumCPUUsageHostAllocatorStrategy"}});
  std::string q = kInstance;
  EXPECT_EQ(names(inventories(q + "?q=cpuNum>1&sort=+cpuNum")),
            (std::vector<std::string>{"medium", "large"}));
  EXPECT_EQ(names(inventories(q + "?sort=-memorySize")),
            (std::vector<std::string>{"large", "medium", "small"}));
  EXPECT_EQ(names(inventories(q + "?sort=+sortKey&limit=2")),
            (std::vector<std::string>{"large", "medium"}));
  EXPECT_EQ(names(inventories(q + "?sort=+sortKey&limit=2&start=2")),
            (std::vector<std::string>{"small"}));
  EXPECT_EQ(names(inventories(q + "?q=name~=%25al%25&sort=+name")),
            (std::vector<std::string>{"small"}));
  EXPECT_EQ(names(inventories(q + "?q=allocatorStrategy=MinimumCPUUsageHostAllocatorStrategy")),
            std::vector<std::string>{"large"});
  EXPECT_EQ(names(inventories(q + "?q=memorySize>=4294967296&q=cpuNum<8")),
            std::vector<std::string>{"medium"});
  EXPECT_TRUE(inventories(q + "?q=description!=null").empty());
  Json counted = query(client(), q + "?q=type=UserVm&count=true");
  EXPECT_EQ(counted["total"], 3) << counted;
  Json page = query(client(), q + "?replyWithCount=true&limit=1&sort=+name");
  EXPECT_EQ(page["total"], 3) << page;
  EXPECT_EQ(names(page["inventories"]), std::vector<std::string>{"large"});
  Json fields = inventories(q + "?fields=name,cpuNum&q=name=small");
  ASSERT_EQ(fields.size(), 1u);
  EXPECT_EQ(keysOf(fields[0]), (std::set<std::string>{"name", "cpuNum"}));
  auto bad = client().send("GET", q + "?q=cpuCount=1");
  EXPECT_EQ(bad.status, 400) << bad.body;

  diskOffering("tiny", 1);
  diskOffering("huge", 1LL << 40, {{"allocationStrategy", "LocalStorageAllocatorStrategy"}});
  EXPECT_EQ(names(inventories(std::string(kDisk) + "?q=diskSize>1")),
            std::vector<std::string>{"huge"});
  EXPECT_EQ(names(inventories(std::string(kDisk) +
                              "?q=allocatorStrategy=DefaultPrimaryStorageAllocationStrategy")),
            std::vector<std::string>{"tiny"});
}

TEST_F(OfferingTest, AccountsSeeTheirOwnAndSharedOfferings) {
  createAccount("alpha");
  createAccount("beta");
  auto alpha = loginAs("alpha");
  auto beta = loginAs("beta");
  std::string mine = instanceOffering(*alpha, "alpha-vm")["uuid"];
  std::string mineDisk = diskOffering(*alpha, "alpha-disk")["uuid"];
  std::string admins = instanceOffering("admin-vm")["uuid"];
  std::string adminsDisk = diskOffering("admin-disk")["uuid"];

  EXPECT_EQ(visibleNames(*alpha, kInstance), std::set<std::string>{"alpha-vm"});
  EXPECT_EQ(visibleNames(*alpha, kDisk), std::set<std::string>{"alpha-disk"});
  EXPECT_TRUE(visibleNames(*beta, kInstance).empty());
  EXPECT_TRUE(query(*beta, std::string(kInstance) + "/" + mine)["inventories"].empty());
  EXPECT_EQ(visibleNames(client(), kInstance), (std::set<std::string>{"alpha-vm", "admin-vm"}));

  // Another account's offering can be neither changed nor deleted.
  expectDenied(action(*beta, kInstance, mine, {{"updateInstanceOffering", {{"name", "stolen"}}}}));
  expectDenied(
      action(*beta, kDisk, mineDisk, {{"changeDiskOfferingState", {{"stateEvent", "disable"}}}}));
  expectDenied(beta->call("DELETE", std::string(kInstance) + "/" + mine));
  expectDenied(alpha->call("DELETE", std::string(kDisk) + "/" + adminsDisk));

  // The admin shares its offerings with everyone: seen, still not changed by others.
  auto shared = client().call(
      "PUT", "/zstack/v1/accounts/resources/actions",
      {{"shareResource", {{"resourceUuids", {admins, adminsDisk}}, {"toPublic", true}}}});
  ASSERT_EQ(shared.status, 200) << shared.body;
  EXPECT_EQ(visibleNames(*alpha, kInstance), (std::set<std::string>{"alpha-vm", "admin-vm"}));
  EXPECT_EQ(visibleNames(*beta, kDisk), std::set<std::string>{"admin-disk"});
  expectDenied(action(*beta, kInstance, admins,
                      {{"changeInstanceOfferingState", {{"stateEvent", "disable"}}}}));
  EXPECT_EQ(query(client(), std::string(kInstance) + "/" + admins)["inventories"][0]["state"],
            "Enabled");

  // The owner changes and deletes its own.
  auto renamed =
      action(*alpha, kInstance, mine, {{"updateInstanceOffering", {{"name", "renamed"}}}});
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  ASSERT_EQ(alpha->call("DELETE", std::string(kInstance) + "/" + mine).status, 200);
  ASSERT_EQ(alpha->call("DELETE", std::string(kDisk) + "/" + mineDisk).status, 200);
  EXPECT_EQ(visibleNames(*alpha, kInstance), std::set<std::string>{"admin-vm"});
  EXPECT_EQ(visibleNames(client(), kDisk), std::set<std::string>{"admin-disk"});
}

}  // namespace
}  // namespace strato::test
