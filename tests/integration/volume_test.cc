// Volumes (section 3.2, the APIs without VMs and snapshots) over HTTP, on simulator primary
// storage: the seed's shapes, the storage's capacity after every change, deletion policies,
// templates, ownership and DeletePrimaryStorage's cascade.
#include <filesystem>
#include <fstream>

#include "integration/volume_fixture.h"

namespace strato::test {
namespace {

// The fields of the seed's VolumeInventory (3.2.1) that a Ready data volume has: vmInstanceUuid,
// rootImageUuid and deviceId stay absent until it is attached or made from a template.
const std::set<std::string> kReadyKeys{"uuid",
                                       "name",
                                       "description",
                                       "primaryStorageUuid",
                                       "diskOfferingUuid",
                                       "installPath",
                                       "type",
                                       "format",
                                       "size",
                                       "actualSize",
                                       "state",
                                       "status",
                                       "createDate",
                                       "lastOpDate",
                                       "isShareable"};

TEST_F(VolumeTest, CreateQueryUpdateResizeDeleteRecoverExpunge) {
  Json v = create({{"name", "test-volume"},
                   {"description", "test-data-volume"},
                   {"diskOfferingUuid", offering_},
                   {"primaryStorageUuid", ps_}});
  EXPECT_EQ(keysOf(v), kReadyKeys) << v;
  EXPECT_EQ(v["type"], "Data");
  EXPECT_EQ(v["format"], "qcow2");
  EXPECT_EQ(v["status"], "Ready");
  EXPECT_EQ(v["state"], "Enabled");
  EXPECT_EQ(v["size"], kGiB);
  EXPECT_EQ(v["actualSize"], kGiB);
  EXPECT_EQ(v["isShareable"], false);
  EXPECT_EQ(v["primaryStorageUuid"], ps_);
  std::string uuid = v["uuid"];
  EXPECT_NE(v["installPath"].get<std::string>().find(uuid), std::string::npos);
  EXPECT_EQ(volume(uuid), v);
  EXPECT_EQ(available(), 9 * kGiB);
  EXPECT_EQ(query(std::string(kVolumes) + "?q=primaryStorage.name=sim").size(), 1u);
  EXPECT_EQ(query(std::string(kVolumes) + "?q=diskOffering.name=1G").size(), 1u);

  auto updated =
      volumeAction(uuid, {{"updateVolume", {{"name", "volume-1"}, {"description", "d"}}}});
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(parse(updated)["inventory"]["name"], "volume-1");
  EXPECT_EQ(parse(updated)["inventory"]["description"], "d");
  auto disabled = volumeAction(uuid, {{"changeVolumeState", {{"stateEvent", "disable"}}}});
  ASSERT_EQ(disabled.status, 200) << disabled.body;
  EXPECT_EQ(parse(disabled)["inventory"]["state"], "Disabled");
  expectInvalid(volumeAction(uuid, {{"changeVolumeState", {{"stateEvent", "maintain"}}}}),
                "stateEvent");
  EXPECT_EQ(parse(volumeAction(
                uuid, {{"changeVolumeState", {{"stateEvent", "enable"}}}}))["inventory"]["state"],
            "Enabled");

  auto synced = volumeAction(uuid, {{"syncVolumeSize", Json::object()}});
  ASSERT_EQ(synced.status, 200) << synced.body;
  EXPECT_EQ(parse(synced)["inventory"]["size"], kGiB);

  auto resized = client().call("PUT", "/zstack/v1/volumes/data/resize/" + uuid + "/actions",
                               {{"resizeDataVolume", {{"size", 3.0 * kGiB}}}});
  ASSERT_EQ(resized.status, 200) << resized.body;
  EXPECT_EQ(parse(resized)["inventory"]["size"], 3 * kGiB);
  EXPECT_EQ(available(), 7 * kGiB);
  expectInvalid(client().call("PUT", "/zstack/v1/volumes/data/resize/" + uuid + "/actions",
                              {{"resizeDataVolume", {{"size", kGiB}}}}),
                "size");
  auto tooBig = client().call("PUT", "/zstack/v1/volumes/data/resize/" + uuid + "/actions",
                              {{"resizeDataVolume", {{"size", 20 * kGiB}}}});
  EXPECT_EQ(codeOf(tooBig), "SYS.1001") << tooBig.body;
  EXPECT_EQ(available(), 7 * kGiB);

  // What volumes hold survives a reconnect and a capacity sync.
  ASSERT_EQ(action(ps_, {{"reconnectPrimaryStorage", Json::object()}}).status, 200);
  ASSERT_EQ(action(ps_, {{"syncPrimaryStorageCapacity", Json::object()}}).status, 200);
  EXPECT_EQ(available(), 7 * kGiB);
  EXPECT_EQ(ps(ps_)["availablePhysicalCapacity"], 7 * kGiB);
  EXPECT_EQ(ps(ps_)["systemUsedCapacity"], 0);

  // Delay (the default): deleted, still holding its capacity, recoverable.
  ASSERT_EQ(deleteVolume(uuid).status, 200);
  EXPECT_EQ(volume(uuid)["status"], "Deleted");
  EXPECT_EQ(available(), 7 * kGiB);
  EXPECT_EQ(codeOf(volumeAction(uuid, {{"updateVolume", {{"name", ""}}}})), "SYS.1007");
  auto recovered = volumeAction(uuid, {{"recoverDataVolume", Json::object()}});
  ASSERT_EQ(recovered.status, 200) << recovered.body;
  EXPECT_EQ(parse(recovered)["inventory"]["status"], "Ready");
  EXPECT_EQ(codeOf(volumeAction(uuid, {{"expungeDataVolume", Json::object()}})), "SYS.1001");
  ASSERT_EQ(deleteVolume(uuid).status, 200);
  auto expunged = volumeAction(uuid, {{"expungeDataVolume", Json::object()}});
  ASSERT_EQ(expunged.status, 200) << expunged.body;
  EXPECT_EQ(parse(expunged), Json::object());
  EXPECT_TRUE(volume(uuid).is_null());
  EXPECT_EQ(available(), 10 * kGiB);
  EXPECT_EQ(rowsIn("account_resource_ref WHERE resourceUuid = '" + uuid + "'"), 0);
  // Deleting what is gone succeeds.
  EXPECT_EQ(deleteVolume(uuid).status, 200);
}

TEST_F(VolumeTest, NotInstantiatedWithoutPrimaryStorage) {
  Json v = create({{"name", "later"}, {"diskOfferingUuid", offering_}});
  EXPECT_EQ(v["status"], "NotInstantiated");
  EXPECT_FALSE(v.contains("primaryStorageUuid"));
  EXPECT_FALSE(v.contains("installPath"));
  EXPECT_EQ(v["size"], kGiB);
  EXPECT_EQ(available(), 10 * kGiB);
  auto resized = client().call(
      "PUT", "/zstack/v1/volumes/data/resize/" + v["uuid"].get<std::string>() + "/actions",
      {{"resizeDataVolume", {{"size", 2 * kGiB}}}});
  ASSERT_EQ(resized.status, 200) << resized.body;
  EXPECT_EQ(parse(resized)["inventory"]["size"], 2 * kGiB);
  EXPECT_EQ(available(), 10 * kGiB);
}

TEST_F(VolumeTest, FormatsCapabilitiesAndQos) {
  std::string uuid = createOnPs()["uuid"];
  auto formats = client().send("GET", "/zstack/v1/volumes/formats");
  ASSERT_EQ(formats.status, 200) << formats.body;
  bool qcow2 = false;
  Json list = parse(formats)["formats"];
  ASSERT_EQ(list.size(), 4u) << formats.body;
  for (const auto& f : list) {
    EXPECT_EQ(keysOf(f), (std::set<std::string>{"format", "masterHypervisorType",
                                                "supportingHypervisorTypes"}));
    qcow2 = qcow2 || (f["format"] == "qcow2" && f["masterHypervisorType"] == "KVM");
  }
  EXPECT_TRUE(qcow2) << formats.body;
  auto caps = client().send("GET", std::string(kVolumes) + "/" + uuid + "/capabilities");
  ASSERT_EQ(caps.status, 200) << caps.body;
  EXPECT_EQ(keysOf(parse(caps)["capabilities"]),
            (std::set<std::string>{"MigrationToOtherPrimaryStorage",
                                   "MigrationInCurrentPrimaryStorage"}));

  auto qos = [&] {
    auto reply = client().send("GET", std::string(kVolumes) + "/" + uuid + "/qos");
    EXPECT_EQ(reply.status, 200) << reply.body;
    return parse(reply);
  };
  EXPECT_EQ(qos(), (Json{{"volumeUuid", uuid}, {"volumeBandwidth", -1}}));
  auto set = client().call("POST", std::string(kVolumes) + "/" + uuid + "/QoS",
                           {{"setVolumeQoS", {{"volumeBandwidth", 10000.0}}}});
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(parse(set), Json::object());
  EXPECT_EQ(qos()["volumeBandwidth"], 10000);
  expectInvalid(client().call("POST", std::string(kVolumes) + "/" + uuid + "/QoS",
                              {{"setVolumeQoS", {{"volumeBandwidth", "fast"}}}}),
                "volumeBandwidth");
  auto removed = client().call("DELETE", std::string(kVolumes) + "/" + uuid + "/QoS");
  ASSERT_EQ(removed.status, 200) << removed.body;
  EXPECT_EQ(qos()["volumeBandwidth"], -1);
  // The volume (and its owner) survived the QoS deletion.
  EXPECT_EQ(volume(uuid)["status"], "Ready");
  EXPECT_EQ(rowsIn("account_resource_ref WHERE resourceUuid = '" + uuid + "'"), 1);
}

TEST_F(VolumeTest, BadInputReservesNothing) {
  expectInvalid(createReply({{"diskOfferingUuid", offering_}}), "name");
  expectInvalid(createReply({{"name", "x"}}), "diskOfferingUuid");
  expectInvalid(
      createReply({{"name", "x"}, {"diskOfferingUuid", "0123456789abcdef0123456789abcdef"}}),
      "diskOfferingUuid");
  expectInvalid(createReply({{"name", "x"},
                             {"diskOfferingUuid", offering_},
                             {"primaryStorageUuid", "0123456789abcdef0123456789abcdef"}}),
                "primaryStorageUuid");
  expectInvalid(
      createReply({{"name", "x"}, {"diskOfferingUuid", offering_}, {"resourceUuid", "bad"}}),
      "resourceUuid");
  std::string big = diskOffering(client(), "20G", 20 * kGiB)["uuid"];
  auto full = createReply({{"name", "x"}, {"diskOfferingUuid", big}, {"primaryStorageUuid", ps_}});
  EXPECT_EQ(codeOf(full), "SYS.1001") << full.body;
  EXPECT_NE(errorOf(full).find("capacity"), std::string::npos) << full.body;
  ASSERT_EQ(action(ps_, {{"changePrimaryStorageState", {{"stateEvent", "disable"}}}}).status, 200);
  auto disabled =
      createReply({{"name", "x"}, {"diskOfferingUuid", offering_}, {"primaryStorageUuid", ps_}});
  EXPECT_EQ(codeOf(disabled), "SYS.1001") << disabled.body;
  EXPECT_EQ(available(), 10 * kGiB);
  EXPECT_EQ(total(kVolumes), 0);

  // An NFS share holds volume files only through a KVM host's agent: with simulator hosts its
  // driver refuses after the reservation, which is given back; nothing kept.
  std::string nfs =
      add("nfs", {{"url", "192.168.0.25:/nfs"}, {"name", "nfs"}, {"zoneUuid", zone_}})["uuid"];
  std::string cluster = createCluster(zone_, "c1")["uuid"];
  addHost(cluster, "127.0.0.2");
  attach(nfs, cluster);
  std::int64_t nfsFree = ps(nfs)["availableCapacity"];
  ASSERT_GT(nfsFree, kGiB);
  auto notYet =
      createReply({{"name", "x"}, {"diskOfferingUuid", offering_}, {"primaryStorageUuid", nfs}});
  EXPECT_EQ(codeOf(notYet), "SYS.1009") << notYet.body;
  EXPECT_NE(errorOf(notYet).find("strato-agent"), std::string::npos) << notYet.body;
  EXPECT_EQ(ps(nfs)["availableCapacity"], nfsFree);
  EXPECT_EQ(total(kVolumes), 0);

  // A LocalStorage file goes on the disk of a host using the storage; any other is refused
  // before anything is taken.
  std::string local = addLocal(zone_)["uuid"];
  attach(local, cluster);
  std::int64_t localFree = ps(local)["availableCapacity"];
  auto elsewhere = client().call(
      "POST", "/zstack/v1/volumes/data",
      {{"params", {{"name", "x"}, {"diskOfferingUuid", offering_}, {"primaryStorageUuid", local}}},
       {"systemTags", {"localStorage::hostUuid::" + std::string(32, 'd')}}});
  EXPECT_EQ(codeOf(elsewhere), "SYS.1001") << elsewhere.body;
  EXPECT_NE(errorOf(elsewhere).find("not a Connected host"), std::string::npos) << elsewhere.body;
  EXPECT_EQ(ps(local)["availableCapacity"], localFree);
  EXPECT_EQ(query("/zstack/v1/primary-storage/local-storage/resource-refs").size(), 0u);
  EXPECT_EQ(total(kVolumes), 0);
}

TEST_F(VolumeTest, DirectPolicyAndDelaySweep) {
  setGlobalConfig("volume", "deletionPolicy", "Direct");
  std::string direct = createOnPs()["uuid"];
  EXPECT_EQ(available(), 9 * kGiB);
  ASSERT_EQ(deleteVolume(direct).status, 200);
  EXPECT_TRUE(volume(direct).is_null());
  EXPECT_EQ(available(), 10 * kGiB);

  setGlobalConfig("volume", "deletionPolicy", "Delay");
  setGlobalConfig("volume", "expungePeriod", "1");
  setGlobalConfig("volume", "expungeInterval", "1");
  std::string delayed = createOnPs()["uuid"];
  ASSERT_EQ(deleteVolume(delayed).status, 200);
  EXPECT_TRUE(eventually([&] { return volume(delayed).is_null(); }));
  EXPECT_EQ(available(), 10 * kGiB);
}

TEST_F(VolumeTest, FromDataVolumeTemplate) {
  std::string bs = addSimulatorBs("BS", 10 * kGiB, 10 * kGiB)["uuid"];
  auto file = dir_.path() / "data.qcow2";
  std::ofstream(file) << std::string(3 << 20, 'x');
  auto addImage = [&](const std::string& mediaType) {
    auto reply = client().call("POST", "/zstack/v1/images",
                               {{"params",
                                 {{"name", mediaType},
                                  {"url", "file://" + file.string()},
                                  {"format", "qcow2"},
                                  {"mediaType", mediaType},
                                  {"backupStorageUuids", {bs}}}}});
    EXPECT_EQ(reply.status, 200) << reply.body;
    return parse(reply)["inventory"]["uuid"].get<std::string>();
  };
  std::string tmpl = addImage("DataVolumeTemplate");
  std::string root = addImage("RootVolumeTemplate");
  auto fromTemplate = [&](const std::string& image) {
    return client().call("POST", "/zstack/v1/volumes/data/from/data-volume-templates/" + image,
                         {{"params", {{"name", "data-volume-1"}, {"primaryStorageUuid", ps_}}}});
  };
  auto made = fromTemplate(tmpl);
  ASSERT_EQ(made.status, 200) << made.body;
  Json v = parse(made)["inventory"];
  EXPECT_EQ(v["rootImageUuid"], tmpl);
  EXPECT_EQ(v["size"], 3 << 20);
  EXPECT_EQ(v["status"], "Ready");
  EXPECT_EQ(available(), 10 * kGiB - (3 << 20));
  expectInvalid(fromTemplate(root), "imageUuid");
}

TEST_F(VolumeTest, NormalAccountSeesOnlyItsVolumes) {
  std::string mine = createOnPs("admins")["uuid"];
  createAccount("alice");
  auto alice = loginAs("alice");
  std::string offering = diskOffering(*alice, "alice-1G", kGiB)["uuid"];
  auto created = createReply(
      *alice, {{"name", "alices"}, {"diskOfferingUuid", offering}, {"primaryStorageUuid", ps_}});
  ASSERT_EQ(created.status, 200) << created.body;
  std::string hers = parse(created)["inventory"]["uuid"];
  auto seen = parse(alice->send("GET", kVolumes))["inventories"];
  ASSERT_EQ(seen.size(), 1u) << seen;
  EXPECT_EQ(seen[0]["uuid"], hers);
  EXPECT_EQ(query(kVolumes).size(), 2u);
  auto foreign = alice->call("PUT", std::string(kVolumes) + "/" + mine + "/actions",
                             {{"updateVolume", {{"name", "stolen"}}}});
  EXPECT_NE(foreign.status, 200) << foreign.body;
  EXPECT_EQ(volume(mine)["name"], "admins");
  // Deleted (Delay) but still hers: she can recover it.
  ASSERT_EQ(alice->call("DELETE", std::string(kVolumes) + "/" + hers).status, 200);
  auto recovered = alice->call("PUT", std::string(kVolumes) + "/" + hers + "/actions",
                               {{"recoverDataVolume", Json::object()}});
  EXPECT_EQ(recovered.status, 200) << recovered.body;
}

TEST_F(VolumeTest, QuotasCountAndLimitDataVolumes) {
  std::string alice = createAccount("alice")["uuid"];
  auto c = loginAs("alice");
  std::string offering = diskOffering(*c, "alice-1G", kGiB)["uuid"];
  auto raised = client().call(
      "PUT", "/zstack/v1/accounts/quotas/actions",
      {{"updateQuota", {{"identityUuid", alice}, {"name", "volume.data.num"}, {"value", 1}}}});
  ASSERT_EQ(raised.status, 200) << raised.body;
  ASSERT_EQ(createReply(*c, {{"name", "one"}, {"diskOfferingUuid", offering}}).status, 200);
  auto second = createReply(*c, {{"name", "two"}, {"diskOfferingUuid", offering}});
  EXPECT_EQ(codeOf(second), "ID.1002") << second.body;
  EXPECT_NE(errorOf(second).find("volume.data.num"), std::string::npos) << second.body;
  auto usage = c->send("GET", "/zstack/v1/accounts/quota/" + alice + "/usages");
  ASSERT_EQ(usage.status, 200) << usage.body;
  std::map<std::string, std::int64_t> used;
  Json usages = parse(usage)["usages"];
  for (const auto& u : usages) used[u["name"]] = u["used"].get<std::int64_t>();
  EXPECT_EQ(used["volume.data.num"], 1) << usage.body;
  EXPECT_EQ(used["volume.capacity"], kGiB) << usage.body;
}

TEST_F(VolumeTest, DeletePrimaryStoragePermissiveRefusesEnforcingRemoves) {
  std::string a = createOnPs("a")["uuid"];
  std::string later = create({{"name", "later"}, {"diskOfferingUuid", offering_}})["uuid"];
  auto refused =
      client().call("DELETE", "/zstack/v1/primary-storage/" + ps_ + "?deleteMode=Permissive");
  EXPECT_EQ(codeOf(refused), "SYS.1001") << refused.body;
  EXPECT_NE(errorOf(refused).find(a), std::string::npos) << refused.body;
  EXPECT_FALSE(ps(ps_).is_null());
  EXPECT_EQ(volume(a)["status"], "Ready");
  auto enforced =
      client().call("DELETE", "/zstack/v1/primary-storage/" + ps_ + "?deleteMode=Enforcing");
  ASSERT_EQ(enforced.status, 200) << enforced.body;
  EXPECT_TRUE(ps(ps_).is_null());
  EXPECT_TRUE(volume(a).is_null());
  EXPECT_EQ(rowsIn("account_resource_ref WHERE resourceUuid = '" + a + "'"), 0);
  // A volume on no storage is not touched; deleting the disk offering does not touch it either.
  EXPECT_EQ(volume(later)["status"], "NotInstantiated");
  ASSERT_EQ(client().call("DELETE", "/zstack/v1/disk-offerings/" + offering_).status, 200);
  EXPECT_EQ(volume(later)["diskOfferingUuid"], offering_);
}

}  // namespace
}  // namespace strato::test
