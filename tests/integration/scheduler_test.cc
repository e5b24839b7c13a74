// Schedulers over HTTP (3.1.40-42, 3.2.26, 9.3.12) on a simulator cloud: a VM stopped, started
// and rebooted and a volume's snapshots taken on a timetable (an interval, or a Quartz cron
// expression), a disabled scheduler that stays quiet, and the bad input refused.
#include <chrono>
#include <functional>
#include <thread>

#include "integration/vm_fixture.h"

namespace strato::test {
namespace {

class SchedulerTest : public VmTest {
 protected:
  void SetUp() override {
    VmTest::SetUp();
    buildCloud(1);
    vm_ = createVm("web")["uuid"];
  }
  HttpReply schedule(const std::string& path, const Json& params) { return post(path, params); }
  Json every(double seconds, std::optional<double> repeat = std::nullopt) {
    Json p{{"schedulerName", "s"}, {"type", "simple"}, {"interval", seconds}, {"startTime", 0.0}};
    if (repeat) p["repeatCount"] = *repeat;
    return p;
  }
  Json byCron(const std::string& cron) {
    return {{"schedulerName", "c"}, {"type", "cron"}, {"cron", cron}};
  }
  // Waits up to `seconds` for `done`.
  static bool within(double seconds, const std::function<bool()>& done) {
    auto deadline = std::chrono::steady_clock::now() +
                    std::chrono::milliseconds(static_cast<int>(seconds * 1000));
    while (std::chrono::steady_clock::now() < deadline) {
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return done();
  }
  std::string state() { return vm(vm_)["state"]; }
  HttpReply changeState(const std::string& scheduler, const std::string& event) {
    return client().call("PUT", "/zstack/v1/schedulers/" + scheduler,
                         {{"changeSchedulerState", {{"stateEvent", event}}}});
  }

  std::string vm_;
};

TEST_F(SchedulerTest, VmSchedulersStopStartAndRebootItOnTime) {
  // Once, at once.
  Json stop = created(schedule("vm-instances/" + vm_ + "/schedulers/stopping", every(1, 1)));
  EXPECT_EQ(stop["targetResourceUuid"], vm_);
  EXPECT_EQ(stop["schedulerJob"], "StopVmInstanceJob");
  EXPECT_EQ(stop["schedulerType"], "simple");
  EXPECT_EQ(stop["schedulerInterval"], 1);
  EXPECT_EQ(stop["repeatCount"], 1);
  EXPECT_EQ(stop["state"], "Enabled");
  EXPECT_EQ(stop["startTime"], stop["stopTime"]);
  EXPECT_TRUE(within(10, [&] { return state() == "Stopped"; })) << state();

  // Every second, by cron, until disabled.
  Json start =
      created(schedule("vm-instances/" + vm_ + "/schedulers/starting", byCron("* * * * * ?")));
  EXPECT_EQ(start["schedulerType"], "cron");
  EXPECT_EQ(start["cronScheduler"], "* * * * * ?");
  EXPECT_TRUE(within(10, [&] { return state() == "Running"; })) << state();
  auto disabled = changeState(start["uuid"], "disable");
  ASSERT_EQ(disabled.status, 200) << disabled.body;
  EXPECT_EQ(parse(disabled)["inventory"]["state"], "Disabled");
  vmActionOk(vm_, {{"stopVmInstance", Json::object()}});
  EXPECT_FALSE(within(2.5, [&] { return state() != "Stopped"; })) << "a disabled scheduler fired";
  ASSERT_EQ(changeState(start["uuid"], "enable").status, 200);
  EXPECT_TRUE(within(10, [&] { return state() == "Running"; })) << state();

  // A reboot keeps it running; the schedulers are listed, and deleted with DeleteScheduler.
  Json reboot = created(schedule("vm-instances/" + vm_ + "/schedulers/rebooting", every(1, 1)));
  EXPECT_EQ(reboot["schedulerJob"], "RebootVmInstanceJob");
  EXPECT_EQ(query("/zstack/v1/schedulers?q=targetResourceUuid=" + vm_).size(), 3u);
  ASSERT_EQ(
      client().call("DELETE", "/zstack/v1/schedulers/" + start["uuid"].get<std::string>()).status,
      200);
  EXPECT_TRUE(query("/zstack/v1/schedulers/" + start["uuid"].get<std::string>()).empty());

  // Schedulers go with their VM.
  ASSERT_EQ(client().call("DELETE", std::string(kVms) + "/" + vm_).status, 200);
  EXPECT_TRUE(within(10, [&] { return query("/zstack/v1/schedulers").empty(); }));
}

TEST_F(SchedulerTest, SnapshotSchedulerTakesAsManyAsItRepeats) {
  std::string root = vm(vm_)["rootVolumeUuid"];
  Json params = every(1, 2);
  params["snapShotName"] = "nightly";
  params["volumeSnapshotDescription"] = "taken by a scheduler";
  Json s = created(schedule("volumes/" + root + "/schedulers/creating-volume-snapshots", params));
  EXPECT_EQ(s["schedulerJob"], "CreateVolumeSnapshotJob");
  auto snapshots = [&] { return query("/zstack/v1/volume-snapshots?q=volumeUuid=" + root); };
  EXPECT_TRUE(within(10, [&] { return snapshots().size() == 2; })) << snapshots().dump();
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  Json taken = snapshots();
  ASSERT_EQ(taken.size(), 2u) << taken.dump();
  for (const auto& snapshot : taken) {
    EXPECT_EQ(snapshot["name"], "nightly");
    EXPECT_EQ(snapshot["description"], "taken by a scheduler");
  }
}

TEST_F(SchedulerTest, BadTimetablesAreRefused) {
  std::string path = "vm-instances/" + vm_ + "/schedulers/stopping";
  auto expectRefused = [&](const Json& params, const std::string& says) {
    auto reply = schedule(path, params);
    EXPECT_NE(reply.status, 200) << params.dump();
    EXPECT_NE(errorOf(reply).find(says), std::string::npos) << reply.body;
  };
  Json weekly = every(1);
  weekly["type"] = "weekly";
  expectRefused(weekly, "simple, cron");
  expectRefused({{"schedulerName", "s"}, {"type", "simple"}}, "interval");
  expectRefused(every(0), "interval");
  expectRefused(every(1.5), "integer");
  expectRefused(every(1, 0), "repeatCount");
  Json past = every(1);
  past["startTime"] = 1000.0;
  expectRefused(past, "in the past");
  expectRefused(byCron("* * * * *"), "6 or 7 fields");
  expectRefused(byCron("0 0 0 L * ?"), "not supported");
  expectRefused(byCron("0 0 0 30 FEB ?"), "no time ahead");
  auto unknown =
      schedule("vm-instances/" + std::string(32, 'a') + "/schedulers/stopping", every(1));
  EXPECT_NE(errorOf(unknown).find("names no VM"), std::string::npos) << unknown.body;
  auto noName = schedule("volumes/" + vm(vm_)["rootVolumeUuid"].get<std::string>() +
                             "/schedulers/creating-volume-snapshots",
                         every(1));
  EXPECT_NE(errorOf(noName).find("snapShotName"), std::string::npos) << noName.body;
}

}  // namespace
}  // namespace strato::test
