#include "support/zstack_client.h"

#include <Poco/DigestEngine.h>
#include <Poco/SHA2Engine.h>

#include <thread>

namespace strato::test {

std::string sha512Hex(const std::string& text) {
  Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_512);
  engine.update(text);
  return Poco::DigestEngine::digestToHex(engine.digest());
}

Json parse(const HttpReply& reply) {
  return Json::parse(reply.body.empty() ? "null" : reply.body, nullptr, false);
}

std::string ZStackClient::login(const std::string& account, const std::string& password) {
  Json body{{"logInByAccount", {{"accountName", account}, {"password", sha512Hex(password)}}}};
  auto reply = send("PUT", "/zstack/v1/accounts/login", body);
  Json j = parse(reply);
  session = reply.status == 200 && j.is_object() ? j["inventory"].value("uuid", "") : "";
  return session;
}

HttpReply ZStackClient::send(const std::string& method, const std::string& path, const Json& body,
                             std::map<std::string, std::string> headers) const {
  if (!session.empty() && !headers.count("Authorization"))
    headers["Authorization"] = "OAuth " + session;
  if (!body.is_null()) headers["Content-Type"] = "application/json";
  return httpRequest(method, "127.0.0.1", port_, path, body.is_null() ? "" : body.dump(), headers);
}

HttpReply ZStackClient::call(const std::string& method, const std::string& path, const Json& body,
                             std::map<std::string, std::string> headers) const {
  auto reply = send(method, path, body, std::move(headers));
  if (reply.status != 202) return reply;
  return poll(parse(reply).value("location", ""));
}

HttpReply ZStackClient::poll(const std::string& location, std::chrono::milliseconds timeout) const {
  // The location is absolute (http://host:port/path); only its path matters on loopback.
  auto scheme = location.find("://");
  auto slash = location.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  std::string path = slash == std::string::npos ? location : location.substr(slash);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  HttpReply reply;
  do {
    reply = send("GET", path);
    if (reply.status != 202) return reply;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  } while (std::chrono::steady_clock::now() < deadline);
  return reply;
}

}  // namespace strato::test
