#include "node/remote_messages.h"

#include <charconv>
#include <future>

#include "rest/rest_errors.h"
#include "strato/remote.h"

namespace strato::kernel {
namespace {

constexpr std::int64_t kMaxTimeoutMs = 24LL * 3600 * 1000;

Result<std::chrono::milliseconds> timeoutOf(const HttpRequest& request, MessageBus& bus) {
  auto it = request.headers.find("x-timeout-ms");
  if (it == request.headers.end()) return bus.defaultTimeout();
  std::int64_t ms = 0;
  auto [end, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), ms);
  if (ec != std::errc() || end != it->second.data() + it->second.size() || ms <= 0) {
    return makeError(ErrorCode::kInvalidArgument,
                     std::string(kRemoteTimeoutHeader) + " must be a positive number",
                     it->second);
  }
  return std::chrono::milliseconds(std::min(ms, kMaxTimeoutMs));
}

HttpResponse deliver(MessageBus& bus, const HttpRequest& request) {
  Json json = Json::parse(request.body, nullptr, false);
  auto message = Message::fromJson(json);
  if (!message) return errorResponse(400, message.error().code, message.error().message);
  if (message->type.rfind(kRemoteMessagePrefix, 0) != 0) {
    return errorResponse(400, ErrorCode::kInvalidArgument,
                         "only message types starting with '" + std::string(kRemoteMessagePrefix) +
                             "' may be sent from another machine",
                         message->type);
  }
  auto timeout = timeoutOf(request, bus);
  if (!timeout) return errorResponse(400, timeout.error().code, timeout.error().message);
  // The HTTP thread waits: the caller holds its connection open for the reply anyway.
  auto done = std::make_shared<std::promise<Reply>>();
  auto reply = done->get_future();
  bus.request(std::move(*message), [done](Reply r) { done->set_value(std::move(r)); }, *timeout);
  return jsonResponse(200, replyToJson(reply.get()));
}

}  // namespace

HttpHandler makeRemoteMessageHandler(MessageBus& bus, HttpHandler next) {
  return [&bus, next = std::move(next)](const HttpRequest& request) {
    if (request.path != kRemoteMessagePath) return next(request);
    if (request.method != "POST") {
      auto r = errorResponse(405, ErrorCode::kInvalidArgument,
                             "use POST for " + std::string(kRemoteMessagePath));
      r.headers["Allow"] = "POST";
      return r;
    }
    return deliver(bus, request);
  };
}

}  // namespace strato::kernel
