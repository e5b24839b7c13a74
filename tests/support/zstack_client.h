// A small ZStack v1 REST client for tests: logs in, sends requests with the session, and follows
// an async API's 202 location until the job has finished.
#pragma once

#include <chrono>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "support/http_client.h"

namespace strato::test {

using Json = nlohmann::json;

std::string sha512Hex(const std::string& text);

class ZStackClient {
 public:
  explicit ZStackClient(int port) : port_(port) {}

  // Logs in (as admin with password "password" by default) and keeps the session.
  std::string login(const std::string& account = "admin", const std::string& password = "password");

  // One HTTP request; the session goes along unless `headers` has an authorization of its own.
  HttpReply send(const std::string& method, const std::string& path, const Json& body = nullptr,
                 std::map<std::string, std::string> headers = {}) const;
  // send(), then, for a 202, polls its location until the job is done; returns the final reply.
  HttpReply call(const std::string& method, const std::string& path, const Json& body = nullptr,
                 std::map<std::string, std::string> headers = {}) const;
  HttpReply poll(const std::string& location,
                 std::chrono::milliseconds timeout = std::chrono::seconds(30)) const;

  int port() const { return port_; }
  std::string session;

 private:
  int port_;
};

Json parse(const HttpReply& reply);

}  // namespace strato::test
