#include "bench_server.h"

#include <Poco/DigestEngine.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/SHA2Engine.h>
#include <Poco/StreamCopier.h>
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <thread>

namespace strato::bench {

Reply send(int port, const std::string& method, const std::string& path, const Json& body,
           const std::string& session) {
  auto raw = sendRaw(port, method, path, body, session);
  return {raw.status, Json::parse(raw.body.empty() ? "null" : raw.body, nullptr, false)};
}

RawReply sendRaw(int port, const std::string& method, const std::string& path, const Json& body,
                 const std::string& session) {
  Poco::Net::HTTPClientSession s("127.0.0.1", static_cast<Poco::UInt16>(port));
  Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  if (!session.empty()) request.set("Authorization", "OAuth " + session);
  std::string text = body.is_null() ? "" : body.dump();
  request.setContentLength(static_cast<std::streamsize>(text.size()));
  s.sendRequest(request) << text;
  Poco::Net::HTTPResponse response;
  std::string out;
  Poco::StreamCopier::copyToString(s.receiveResponse(response), out);
  return {response.getStatus(), std::move(out)};
}

std::string sha512Hex(const std::string& text) {
  Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_512);
  engine.update(text);
  return Poco::DigestEngine::digestToHex(engine.digest());
}

std::string loginAdmin(int port) {
  auto login = send(
      port, "PUT", "/zstack/v1/accounts/login",
      {{"logInByAccount", {{"accountName", "admin"}, {"password", sha512Hex("password")}}}}, "");
  if (login.status != 200) {
    std::cerr << "login failed: " << login.body << "\n";
    return {};
  }
  return login.body["inventory"]["uuid"];
}

Reply waitForJob(int port, const Reply& accepted, const std::string& session) {
  if (accepted.status != 202) return accepted;
  std::string location = accepted.body.value("location", "");
  std::string jobPath = location.substr(location.find("/zstack/"));
  Reply done;
  for (int i = 0; i < 3000; ++i) {
    done = send(port, "GET", jobPath, nullptr, session);
    if (done.status != 202) return done;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done;
}

Server::Server(const std::string& databaseUrl, const std::string& pluginDirs,
               const std::vector<std::string>& extraArgs)
    : dir_(std::filesystem::temp_directory_path() / fmt::format("strato-bench-{}", ::getpid())) {
  std::filesystem::create_directories(dir_);
  std::vector<std::string> args{
      "--set",
      "http.port=0",
      "--set",
      "http.portFile=" + (dir_ / "port").string(),
      "--set",
      "database.url=" + (databaseUrl.empty() ? "sqlite:" + (dir_ / "db").string() : databaseUrl),
      "--set",
      "log.file=" + (dir_ / "log").string(),
      "--set",
      "plugins.dirs=" + pluginDirs};
  args.insert(args.end(), extraArgs.begin(), extraArgs.end());
  handle_ = std::make_unique<Poco::ProcessHandle>(Poco::Process::launch(STRATO_SERVER_BIN, args));
  for (int i = 0; i < 6000 && port_ == 0; ++i) {  // a plugin seeding many rows takes a while
    std::ifstream in(dir_ / "port");
    in >> port_;
    if (port_ == 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (port_ == 0) throw std::runtime_error("server did not start; see " + (dir_ / "log").string());
}

Server::~Server() {
  Poco::Process::requestTermination(handle_->id());
  handle_->wait();
  std::filesystem::remove_all(dir_);
}

long Server::rssKib() const {
  std::ifstream in("/proc/" + std::to_string(pid()) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

}  // namespace strato::bench
