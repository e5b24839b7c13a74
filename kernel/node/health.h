// GET /health: liveness and what this node runs (role, version, plugins). The REST front end
// plugs in beside it in a later milestone.
#pragma once

#include "http/http_server.h"
#include "node/node.h"

namespace strato::kernel {

HttpHandler makeHealthHandler(const Node::State& state);

}  // namespace strato::kernel
