// REST API throughput and latency against a real strato-server on loopback (SQLite):
//   1. GET /zstack/v1/zones/{uuid}: the simplest query, by uuid;
//   2. a two-level cross-inventory query (VM -> nics -> l3.name) over 100,000 VMs, 100,000 NICs
//      and 1,000 L3 networks (bench/plugins/query_fixture_plugin.cc seeds them).
//
//   strato-bench-rest [--requests N] [--repeat K] [--json FILE] [--db URL]
#include <Poco/DigestEngine.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Process.h>
#include <Poco/SHA2Engine.h>
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "bench_args.h"
#include "http_load.h"

namespace {

using Json = nlohmann::json;
using strato::bench::LoadResult;
using strato::bench::LoadSpec;

struct Reply {
  int status = 0;
  Json body;
};

Reply send(int port, const std::string& method, const std::string& path, const Json& body,
           const std::string& session) {
  Poco::Net::HTTPClientSession s("127.0.0.1", static_cast<Poco::UInt16>(port));
  Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  if (!session.empty()) request.set("Authorization", "OAuth " + session);
  std::string text = body.is_null() ? "" : body.dump();
  request.setContentLength(static_cast<std::streamsize>(text.size()));
  s.sendRequest(request) << text;
  Poco::Net::HTTPResponse response;
  std::string out(std::istreambuf_iterator<char>(s.receiveResponse(response)), {});
  return {response.getStatus(), Json::parse(out.empty() ? "null" : out, nullptr, false)};
}

std::string sha512Hex(const std::string& text) {
  Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_512);
  engine.update(text);
  return Poco::DigestEngine::digestToHex(engine.digest());
}

// The server as a child process in a scratch directory; killed when this goes away.
class Server {
 public:
  explicit Server(const std::string& databaseUrl) : dir_(std::filesystem::temp_directory_path() / fmt::format("strato-bench-{}", ::getpid())) {
    std::filesystem::create_directories(dir_);
    std::vector<std::string> args{"--set", "http.port=0", "--set", "http.portFile=" + (dir_ / "port").string(),
                                  "--set", "database.url=" + (databaseUrl.empty() ? "sqlite:" + (dir_ / "db").string() : databaseUrl),
                                  "--set", "log.file=" + (dir_ / "log").string(), "--set",
                                  std::string("plugins.dirs=") + STRATO_PLUGIN_DIR + "," + STRATO_BENCH_PLUGIN_DIR};
    handle_ = std::make_unique<Poco::ProcessHandle>(Poco::Process::launch(STRATO_SERVER_BIN, args));
    for (int i = 0; i < 6000 && port_ == 0; ++i) {  // seeding 200,000 rows takes a while
      std::ifstream in(dir_ / "port");
      in >> port_;
      if (port_ == 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (port_ == 0) throw std::runtime_error("server did not start; see " + (dir_ / "log").string());
  }
  ~Server() {
    Poco::Process::requestTermination(handle_->id());
    handle_->wait();
    std::filesystem::remove_all(dir_);
  }
  int port() const { return port_; }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<Poco::ProcessHandle> handle_;
  int port_ = 0;
};

struct Scenario {
  std::string name;
  int connections;
  long requests;
  std::function<std::string(long)> path;
};

}  // namespace

int main(int argc, char** argv) {
  auto args = strato::bench::parseBenchArgs(argc, argv, "strato-bench-rest", 50000);
  if (!args) return 2;
  long requests = args->requests;
  int repeat = args->repeat;
  const std::string& jsonFile = args->jsonFile;
  Server server(args->databaseUrl);
  int port = server.port();
  auto login = send(port, "PUT", "/zstack/v1/accounts/login",
                    {{"logInByAccount", {{"accountName", "admin"}, {"password", sha512Hex("password")}}}}, "");
  if (login.status != 200) {
    std::cerr << "login failed: " << login.body << "\n";
    return 1;
  }
  std::string session = login.body["inventory"]["uuid"];
  auto created = send(port, "POST", "/zstack/v1/zones", {{"params", {{"name", "bench"}}}}, session);
  std::string location = created.body.value("location", "");
  std::string jobPath = location.substr(location.find("/zstack/"));
  Reply zone;
  for (int i = 0; i < 500 && zone.status != 200; ++i) {
    zone = send(port, "GET", jobPath, nullptr, session);
    if (zone.status == 202) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::string zoneUuid = zone.body["inventory"]["uuid"];

  // A fast wrong answer is not a result: the query must find the 100 VMs on that network.
  auto probe = send(port, "GET", "/zstack/v1/bench/vm-instances?q=nics.l3.name=l3-7", nullptr, session);
  if (probe.status != 200 || probe.body["inventories"].size() != 100) {
    std::cerr << "cross-inventory query is wrong: " << probe.status << " "
              << probe.body.dump().substr(0, 300) << "\n";
    return 1;
  }

  std::vector<Scenario> scenarios{
      {"GET /zones/{uuid}", 8, requests, [&](long) { return "/zstack/v1/zones/" + zoneUuid; }},
      {"VM by nics.l3.name (100k rows), 1 client", 1, requests / 25,
       [](long i) { return fmt::format("/zstack/v1/bench/vm-instances?q=nics.l3.name=l3-{}", i % 1000); }},
      {"VM by nics.l3.name (100k rows), 4 clients", 4, requests / 10,
       [](long i) { return fmt::format("/zstack/v1/bench/vm-instances?q=nics.l3.name=l3-{}", i % 1000); }},
  };
  Json results = Json::array();
  std::cout << fmt::format("{:<44} {:>9} {:>10} {:>9} {:>9}\n", "scenario", "requests", "req/s", "p50 ms",
                           "p99 ms");
  for (const auto& s : scenarios) {
    std::vector<LoadResult> runs;
    for (int r = 0; r < repeat; ++r) {
      runs.push_back(strato::bench::runLoad(
          LoadSpec{port, s.connections, s.requests, {{"Authorization", "OAuth " + session}}, s.path, 200}));
      if (runs.back().failures != 0) {
        std::cerr << s.name << ": " << runs.back().failures << " requests failed\n";
        return 1;
      }
    }
    std::sort(runs.begin(), runs.end(),
              [](const LoadResult& a, const LoadResult& b) { return a.perSecond() < b.perSecond(); });
    const LoadResult& median = runs[runs.size() / 2];
    std::cout << fmt::format("{:<44} {:>9} {:>10.0f} {:>9.2f} {:>9.2f}\n", s.name, s.requests, median.perSecond(),
                             median.percentileMs(50), median.percentileMs(99));
    results.push_back({{"scenario", s.name},
                       {"connections", s.connections},
                       {"requests", s.requests},
                       {"minPerSecond", runs.front().perSecond()},
                       {"medianPerSecond", median.perSecond()},
                       {"maxPerSecond", runs.back().perSecond()},
                       {"p50Ms", median.percentileMs(50)},
                       {"p99Ms", median.percentileMs(99)}});
  }
  if (!jsonFile.empty()) {
    std::ofstream(jsonFile) << Json{{"benchmark", "rest-api"},
                                    {"database", args->databaseUrl.empty() ? "sqlite" : "mysql"},
                                    {"cores", std::thread::hardware_concurrency()},
                                    {"results", results}}
                                   .dump(2)
                            << "\n";
  }
  return 0;
}
