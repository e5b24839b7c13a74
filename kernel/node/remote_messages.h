// POST /v1/messages: bus requests from other machines (see strato/remote.h), in both roles.
#pragma once

#include "http/http_server.h"
#include "strato/bus.h"

namespace strato::kernel {

// Answers requests for strato::kRemoteMessagePath; `next` gets every other path.
HttpHandler makeRemoteMessageHandler(MessageBus& bus, HttpHandler next);

}  // namespace strato::kernel
