// Bus messages across machines: the management node and its host agents call each other's
// handlers over HTTP in the bus's JSON form (Message::toJson, replyToJson). Only message types
// that start with kRemoteMessagePrefix cross: a plugin opts a handler in by its name, so nothing
// internal is reachable from the network by accident.
//
//   POST <kRemoteMessagePath>    body: Message::toJson()   header X-Timeout-Ms: optional
//   -> 200 replyToJson(reply)    the handler's reply, success or not
//   -> 400 {"error"}             not a message, or a type without the prefix
//
// The caller's timeout (X-Timeout-Ms, capped at a day) is the bus request's; without it the bus
// default applies. The endpoint trusts the network it listens on, as ZStack's agents do: bind
// agents to the management network.
#pragma once

#include <string_view>

namespace strato {

inline constexpr std::string_view kRemoteMessagePath = "/v1/messages";
inline constexpr std::string_view kRemoteMessagePrefix = "remote.";
inline constexpr std::string_view kRemoteTimeoutHeader = "X-Timeout-Ms";

}  // namespace strato
