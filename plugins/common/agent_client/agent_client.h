// Calls a bus handler of another machine (a host agent, or the management node from an agent)
// over HTTP, in the bus's JSON form (strato/remote.h). Blocking: call it from the blocking pool.
// Plugins link the static library strato_plugin_agent_client.
#pragma once

#include <chrono>
#include <string>

#include <strato/bus.h>

namespace strato::agent {

// "host:port" of a peer's HTTP endpoint.
struct Address {
  std::string host;
  int port = 0;
  std::string text() const { return host + ":" + std::to_string(port); }
};

// The peer handler's reply. Transport failures are errors of their own, so a caller can tell
// "the agent said no" from "the agent could not be asked":
//   kUnavailable: nothing listens there, or the connection broke before the reply;
//   kTimeout: no reply within `timeout` (the peer's handler gets the same timeout);
//   kInternal: the peer answered something that is not a bus reply.
Reply call(const Address& peer, const Message& message, std::chrono::milliseconds timeout);

}  // namespace strato::agent
