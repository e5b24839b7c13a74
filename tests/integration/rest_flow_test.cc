// The basic flow of section 2.7 of the ZStack manual, async jobs and webhooks, over HTTP against
// a running strato-server.
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>

#include <condition_variable>
#include <optional>
#include <regex>
#include <thread>

#include "integration/rest_fixture.h"
#include "support/free_port.h"

namespace strato::test {
namespace {

using RestFlowTest = RestTest;

TEST_F(RestFlowTest, CreateZoneFlowOfTheManual) {
  auto created = client().send("POST", "/zstack/v1/zones",
                               {{"params", {{"name", "Zone1"}, {"description", "Test"}}}});
  ASSERT_EQ(created.status, 202) << created.body;
  Json accepted = parse(created);
  std::string location = accepted["location"];
  EXPECT_TRUE(std::regex_match(
      location, std::regex(R"(http://127\.0\.0\.1:\d+/zstack/v1/api-jobs/[0-9a-f]{32})")))
      << location;
  EXPECT_GT(accepted["apiTimeout"].get<long>(), 0);

  auto done = client().poll(location);
  ASSERT_EQ(done.status, 200) << done.body;
  Json zone = parse(done)["inventory"];
  EXPECT_EQ(zone["name"], "Zone1");
  EXPECT_EQ(zone["description"], "Test");
  EXPECT_EQ(zone["state"], "Enabled");
  EXPECT_EQ(zone["type"], "zstack");
  EXPECT_TRUE(
      std::regex_match(zone["createDate"].get<std::string>(),
                       std::regex(R"([A-Z][a-z]{2} \d{1,2}, \d{4} \d{1,2}:\d{2}:\d{2} [AP]M)")))
      << zone["createDate"];

  // Polling again gives the same result; a GET of the zone gives the same inventory.
  EXPECT_EQ(parse(client().poll(location))["inventory"], zone);
  auto got = client().send("GET", "/zstack/v1/zones/" + zone["uuid"].get<std::string>());
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(parse(got)["inventories"], Json::array({zone}));

  // Logout needs no Authorization header; the session is dead afterwards.
  std::string session = client().session;
  auto out = httpRequest("DELETE", "127.0.0.1", client().port(),
                         "/zstack/v1/accounts/sessions/" + session);
  EXPECT_EQ(out.status, 200) << out.body;
  auto after = client().send("GET", "/zstack/v1/zones");
  EXPECT_EQ(after.status, 400) << after.body;
  EXPECT_EQ(parse(after)["error"]["code"], "ID.1001");
}

TEST_F(RestFlowTest, EmptyPathSegmentsCollapse) {
  Json zone = createZone("z");
  auto got = client().send("GET", "/zstack/v1//zones//" + zone["uuid"].get<std::string>() + "/");
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(parse(got)["inventories"][0]["uuid"], zone["uuid"]);
}

TEST_F(RestFlowTest, ActionKeyChoosesTheApiOnASharedPath) {
  auto version =
      client().call("PUT", "/zstack/v1/management-nodes/actions", {{"getVersion", Json::object()}});
  ASSERT_EQ(version.status, 200) << version.body;
  EXPECT_TRUE(parse(version)["version"].is_string());
  auto time = client().call("PUT", "/zstack/v1/management-nodes/actions",
                            {{"getCurrentTime", Json::object()}});
  ASSERT_EQ(time.status, 200) << time.body;
  EXPECT_GT(parse(time)["currentTime"]["MillionSeconds"].get<double>(), 1.7e12);

  Json zone = createZone("zone-a");
  std::string actions = "/zstack/v1/zones/" + zone["uuid"].get<std::string>() + "/actions";
  auto renamed = client().call("PUT", actions, {{"updateZone", {{"name", "zone-b"}}}});
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(parse(renamed)["inventory"]["name"], "zone-b");
  auto disabled = client().call("PUT", actions, {{"changeZoneState", {{"stateEvent", "disable"}}}});
  ASSERT_EQ(disabled.status, 200) << disabled.body;
  EXPECT_EQ(parse(disabled)["inventory"]["state"], "Disabled");

  auto unknown = client().send("PUT", actions, {{"explodeZone", Json::object()}});
  EXPECT_EQ(unknown.status, 400) << unknown.body;
  EXPECT_NE(parse(unknown)["error"]["details"].get<std::string>().find("updateZone"),
            std::string::npos);
}

TEST_F(RestFlowTest, FailedJobPollsAs503WithTheErrorBody) {
  Json zone = createZone("dup", {{"resourceUuid", "0123456789abcdef0123456789abcdef"}});
  auto again = client().call(
      "POST", "/zstack/v1/zones",
      {{"params", {{"name", "dup2"}, {"resourceUuid", "0123456789abcdef0123456789abcdef"}}}});
  ASSERT_EQ(again.status, 503) << again.body;
  Json error = parse(again)["error"];
  for (const char* key : {"code", "description", "details", "elaboration", "opaque", "cause"}) {
    EXPECT_TRUE(error.contains(key)) << key << " missing in " << again.body;
  }
}

TEST_F(RestFlowTest, JobUuidHeaderIsCheckedAndJobsSurviveARestart) {
  auto bad = client().send("POST", "/zstack/v1/zones", {{"params", {{"name", "z"}}}},
                           {{"X-Job-UUID", "not-a-uuid"}});
  EXPECT_EQ(bad.status, 400) << bad.body;
  auto dashed = client().send("POST", "/zstack/v1/zones", {{"params", {{"name", "z"}}}},
                              {{"X-Job-UUID", "d825b1a2-6f4e-474b-8c59-306081920ff2"}});
  EXPECT_EQ(dashed.status, 400) << dashed.body;

  const std::string job = "d825b1a26f4e474b8c59306081920ff2";
  auto first = client().send("POST", "/zstack/v1/zones", {{"params", {{"name", "z1"}}}},
                             {{"X-Job-UUID", job}});
  ASSERT_EQ(first.status, 202) << first.body;
  EXPECT_NE(parse(first)["location"].get<std::string>().find(job), std::string::npos);
  auto result = client().poll(parse(first)["location"]);
  ASSERT_EQ(result.status, 200) << result.body;
  auto duplicate = client().send("POST", "/zstack/v1/zones", {{"params", {{"name", "z2"}}}},
                                 {{"X-Job-UUID", job}});
  EXPECT_EQ(duplicate.status, 400) << duplicate.body;

  restartServer();
  auto again = client().send("GET", "/zstack/v1/api-jobs/" + job);
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(parse(again), parse(result));
  EXPECT_EQ(client().send("GET", "/zstack/v1/api-jobs/0123456789abcdef0123456789abcdef").status,
            404);
}

// Receives webhook POSTs on loopback.
class WebhookReceiver {
 public:
  struct Call {
    std::string path, jobUuid, success, body;
  };

  explicit WebhookReceiver(int port = 0)
      : socket_(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port))) {
    server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(*this), socket_,
                                                      new Poco::Net::HTTPServerParams);
    server_->start();
  }
  ~WebhookReceiver() { server_->stopAll(true); }
  int port() const { return socket_.address().port(); }

  std::optional<Call> next(std::chrono::seconds timeout) {
    std::unique_lock lock(mutex_);
    if (!arrived_.wait_for(lock, timeout, [&] { return !calls_.empty(); })) return std::nullopt;
    Call c = calls_.front();
    calls_.erase(calls_.begin());
    return c;
  }

 private:
  struct Handler : Poco::Net::HTTPRequestHandler {
    explicit Handler(WebhookReceiver& r) : receiver(r) {}
    void handleRequest(Poco::Net::HTTPServerRequest& in,
                       Poco::Net::HTTPServerResponse& out) override {
      Call c{in.getURI(), in.get("X-Job-UUID", ""), in.get("X-Job-Success", ""), ""};
      Poco::StreamCopier::copyToString(in.stream(), c.body);
      {
        std::lock_guard lock(receiver.mutex_);
        receiver.calls_.push_back(std::move(c));
      }
      receiver.arrived_.notify_all();
      out.setStatus(Poco::Net::HTTPResponse::HTTP_OK);
      out.send();
    }
    WebhookReceiver& receiver;
  };
  struct Factory : Poco::Net::HTTPRequestHandlerFactory {
    explicit Factory(WebhookReceiver& r) : receiver(r) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(
        const Poco::Net::HTTPServerRequest&) override {
      return new Handler(receiver);
    }
    WebhookReceiver& receiver;
  };

  Poco::Net::ServerSocket socket_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::vector<Call> calls_;
};

TEST_F(RestFlowTest, WebhookReceivesTheResult) {
  WebhookReceiver receiver;
  const std::string job = "a0345d3ddcae485f8170572b15a2b581";
  std::string hook = "http://127.0.0.1:" + std::to_string(receiver.port()) + "/rest-webhook";
  auto accepted = client().send("POST", "/zstack/v1/zones", {{"params", {{"name", "hooked"}}}},
                                {{"X-Job-UUID", job}, {"X-Web-Hook", hook}});
  ASSERT_EQ(accepted.status, 202) << accepted.body;
  auto call = receiver.next(std::chrono::seconds(10));
  ASSERT_TRUE(call.has_value()) << "no webhook call arrived";
  EXPECT_EQ(call->path, "/rest-webhook");
  EXPECT_EQ(call->jobUuid, job);
  EXPECT_EQ(call->success, "true");
  EXPECT_EQ(Json::parse(call->body)["inventory"]["name"], "hooked");

  auto failing = client().send(
      "POST", "/zstack/v1/zones",
      {{"params", {{"name", "x"}, {"resourceUuid", Json::parse(call->body)["inventory"]["uuid"]}}}},
      {{"X-Web-Hook", hook}});
  ASSERT_EQ(failing.status, 202);
  auto failure = receiver.next(std::chrono::seconds(10));
  ASSERT_TRUE(failure.has_value());
  EXPECT_EQ(failure->success, "false");
  EXPECT_TRUE(Json::parse(failure->body).contains("error"));
}

TEST_F(RestFlowTest, WebhookIsRetriedUntilTheReceiverListens) {
  // Nothing listens on the port at first; the receiver starts there after the first attempt.
  int port = freeTcpPort();
  auto accepted =
      client().send("POST", "/zstack/v1/zones", {{"params", {{"name", "late"}}}},
                    {{"X-Web-Hook", "http://127.0.0.1:" + std::to_string(port) + "/late"}});
  ASSERT_EQ(accepted.status, 202);
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  WebhookReceiver receiver(port);
  auto call = receiver.next(std::chrono::seconds(15));
  ASSERT_TRUE(call.has_value()) << "the webhook was not retried";
  EXPECT_EQ(Json::parse(call->body)["inventory"]["name"], "late");
}

}  // namespace
}  // namespace strato::test
