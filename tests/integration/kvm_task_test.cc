// Long commands between a management node and an agent (agent_client/task_calls.h), seen from
// the agent's side: the test plays the management node, posting commands to a real strato-agent
// and taking its callbacks in a MessageSink. A command is held running by a real qemu-img reading
// a FIFO that the test writes only when it chooses. The agents answer "accepted" at once unless a
// test gives them a window (plugin.kvm-agent.answerWithinMs).
#include <sys/stat.h>

#include <fstream>
#include <thread>

#include "integration/kvm_fixture.h"
#include "support/message_sink.h"
#include "support/temp_dir.h"

namespace strato::test {
namespace {

using namespace std::chrono_literals;

class KvmTaskTest : public KvmTest {
 protected:
  Json callbackTo(int port) {
    return {{"host", "127.0.0.1"}, {"port", port}, {"type", "remote.test.TaskDone"}};
  }
  Json task(const std::string& uuid) {
    return agentCall(kHostA, "remote.kvm.GetTask", {{"taskUuid", uuid}});
  }
  // GetTask until the task has ended; its reply, or null.
  Json replyWhenDone(const std::string& uuid) {
    for (int i = 0; i < 100; ++i) {
      Json t = task(uuid);
      if (t["body"].value("state", "") == "Done") return t["body"]["reply"];
      std::this_thread::sleep_for(100ms);
    }
    return Json();
  }

  TempDir files_{"kvm-task"};
  MessageSink sink_;
};

TEST_F(KvmTaskTest, ALongCommandIsAcceptedAtOnceAndItsReplyCalledBack) {
  auto agent = startAgent(kHostA, {"--set", "plugin.kvm-agent.answerWithinMs=300"});
  std::string fifo = (files_.path() / "held").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0666), 0);
  const std::string uuid = "0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a";
  Json command{{"path", fifo}, {"taskUuid", uuid}, {"callback", callbackTo(sink_.port())}};

  // qemu-img blocks opening the FIFO, yet the answer comes after the agent's 300 ms (agentCall
  // gives up after 10 s).
  EXPECT_EQ(agentCall(kHostA, "remote.kvm.VolumeInfo", command)["body"]["taskAccepted"], uuid);
  EXPECT_EQ(task(uuid)["body"]["state"], "Running");
  // A repeat while it runs is accepted too, and is told as well; nothing ran twice.
  EXPECT_EQ(agentCall(kHostA, "remote.kvm.VolumeInfo", command)["body"]["taskAccepted"], uuid);
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(sink_.count(), 0u);

  std::ofstream(fifo) << "not an image";
  auto told = sink_.waitForTask(uuid, 2, 10s);
  ASSERT_EQ(told.size(), 2u);
  for (const auto& m : told) {
    EXPECT_EQ(m["type"], "remote.test.TaskDone");
    EXPECT_EQ(m["body"]["reply"], told[0]["body"]["reply"]);
  }
  const Json& reply = told[0]["body"]["reply"];
  // qemu-img read the FIFO only to refuse it: the refusal is the reply, in full.
  EXPECT_EQ(reply["success"], false) << reply;
  EXPECT_NE(reply["error"].value("details", "").find("regular file"), std::string::npos) << reply;
  // The registry keeps the reply: a poll reads it, and a late repeat gets it at once.
  EXPECT_EQ(task(uuid)["body"]["reply"], reply);
  EXPECT_EQ(agentCall(kHostA, "remote.kvm.VolumeInfo", command), reply);
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(sink_.count(), 2u);
}

TEST_F(KvmTaskTest, ACommandThatEndsWithinTheWindowIsAnsweredWithItsReply) {
  auto agent = startAgent(kHostA, {"--set", "plugin.kvm-agent.answerWithinMs=5000"});
  std::string path = (files_.path() / "v.qcow2").string();
  const std::string uuid = "0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d";
  Json command{{"path", path}, {"size", 1 << 20}, {"taskUuid", uuid}, {"callback", callbackTo(sink_.port())}};
  Json reply = agentCall(kHostA, "remote.kvm.CreateVolume", command);
  EXPECT_EQ(reply["success"], true) << reply;
  EXPECT_EQ(reply["body"]["size"], 1 << 20) << reply;
  // Answered, so nobody is owed a callback.
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(sink_.count(), 0u);
  EXPECT_EQ(task(uuid)["body"]["reply"], reply);
}

TEST_F(KvmTaskTest, AReplyWhoseCallbackIsLostIsKeptForAPoll) {
  auto agent = startAgent(kHostA);
  std::string path = (files_.path() / "v.qcow2").string();
  const std::string uuid = "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b";
  Json command{{"path", path},
               {"size", 1 << 20},
               {"format", "qcow2"},
               {"taskUuid", uuid},
               {"callback", callbackTo(freeTcpPort())}};  // nobody listens there
  EXPECT_EQ(agentCall(kHostA, "remote.kvm.CreateVolume", command)["body"]["taskAccepted"], uuid);
  Json reply = replyWhenDone(uuid);
  EXPECT_EQ(reply["success"], true) << reply;
  EXPECT_EQ(reply["body"]["size"], 1 << 20) << reply;
  EXPECT_TRUE(std::filesystem::exists(path));
}

TEST_F(KvmTaskTest, ACallbackNoManagerCouldTakeIsRefusedBeforeAnythingRuns) {
  auto agent = startAgent(kHostA);
  std::string path = (files_.path() / "v.qcow2").string();
  for (Json callback :
       {Json{{"type", "remote.test.TaskDone"}},
        Json{{"host", "127.0.0.1"}, {"port", sink_.port()}, {"type", "host.AddHost"}},
        // where a node listens, not where it is reached
        Json{{"host", "0.0.0.0"}, {"port", sink_.port()}, {"type", "remote.test.TaskDone"}},
        Json("127.0.0.1")}) {
    Json command{{"path", path}, {"size", 1 << 20}, {"taskUuid", "0c0c"}, {"callback", callback}};
    Json reply = agentCall(kHostA, "remote.kvm.CreateVolume", command);
    EXPECT_EQ(reply["success"], false) << callback;
    EXPECT_EQ(reply["error"]["code"], "InvalidArgument") << reply;
  }
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_EQ(task("0c0c")["success"], false);  // never run, never recorded
}

}  // namespace
}  // namespace strato::test
