// The ZStack v1 REST front end: routes a request to its API, validates and authenticates it,
// answers query APIs from the query engine, runs other APIs through the bus (at once for GET and
// login-style APIs, as an async job otherwise) and renders replies and errors as ZStack clients
// expect. Beast/Poco stay out of this header.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "http/http_server.h"
#include "strato/api.h"
#include "strato/bus.h"
#include "strato/database.h"
#include "strato/extension.h"
#include "strato/json.h"
#include "strato/session.h"

namespace strato::kernel {

class GlobalConfigStore;
class InventoryCatalog;

struct RestServices {
  MessageBus& bus;
  Database& database;
  const ExtensionLookup& extensions;
  GlobalConfigStore& globalConfigs;
  const InventoryCatalog& inventories;
};

// An API call that did not come over HTTP (long jobs); runs exactly like an async REST call.
struct InternalCall {
  const ApiDeclaration* api;
  Json params;
  std::optional<SessionInfo> session;
  std::string jobUuid;
};

class RestFrontEnd {
 public:
  RestFrontEnd(RestServices services, std::vector<ApiDeclaration> implemented);
  ~RestFrontEnd();

  // Fails jobs a previous process left running and starts expiring old ones.
  Status start();
  void stop();

  // The address clients reach us at, for job locations when a request has no Host header.
  void setAdvertisedAddress(std::string hostAndPort);

  HttpResponse handle(const HttpRequest& request);

  const ApiDeclaration* findApi(std::string_view name) const;
  bool implemented(std::string_view name) const;
  // Validates the params and runs the API as an async job; `done` gets the reply (or error) once
  // the job finished and its result was stored.
  Status submit(InternalCall call, std::function<void(const Reply&)> done);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace strato::kernel
