#include "node/health.h"

#include <chrono>

#include "node/node_state.h"
#include "rest/rest_errors.h"
#include "strato/json.h"
#include "strato/version.h"

#ifndef STRATO_GIT_COMMIT
#define STRATO_GIT_COMMIT "unknown"
#endif

namespace strato::kernel {

// The node's state is complete before the HTTP server starts and fixed afterwards, so reading it
// from HTTP threads needs no lock.
HttpHandler makeHealthHandler(const Node::State& state) {
  return [&state](const HttpRequest& request) {
    if (request.path != "/health") {
      return errorResponse(404, ErrorCode::kNotFound, "no such path: " + request.path);
    }
    if (request.method != "GET") {
      auto r = errorResponse(405, ErrorCode::kInvalidArgument, "use GET for /health");
      r.headers["Allow"] = "GET";
      return r;
    }
    Json plugins = Json::array();
    for (const auto& p : state.loader->loaded()) {
      plugins.push_back(Json{{"name", p.name},
                             {"version", p.version},
                             {"buildId", p.buildId},
                             {"file", p.path.string()}});
    }
    auto uptime = std::chrono::duration_cast<std::chrono::seconds>(
        std::chrono::steady_clock::now() - state.startedAt);
    return jsonResponse(
        200, Json{{"status", "ok"},
                  {"role", toString(state.role)},
                  {"version", kSdkVersion},
                  {"commit", STRATO_GIT_COMMIT},
                  {"sdkAbi", std::to_string(kSdkAbiMajor) + "." + std::to_string(kSdkAbiMinor)},
                  {"uptimeSeconds", uptime.count()},
                  {"plugins", plugins},
                  {"extensions", state.extensions.size()},
                  {"apis", state.apis.size()}});
  };
}

}  // namespace strato::kernel
