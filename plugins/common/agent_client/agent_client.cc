#include "agent_client.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/StreamCopier.h>
#include <Poco/Timespan.h>

#include <sstream>

#include <strato/remote.h>

namespace strato::agent {
namespace {

Error transport(ErrorCode code, const Address& peer, const Message& m, const std::string& why) {
  return makeError(code, "cannot reach the agent at " + peer.text(), m.type + ": " + why);
}

}  // namespace

Reply call(const Address& peer, const Message& message, std::chrono::milliseconds timeout) {
  std::string body = message.toJson().dump();
  std::string answer;
  int status = 0;
  try {
    Poco::Net::HTTPClientSession session(peer.host, static_cast<Poco::UInt16>(peer.port));
    // The peer's handler runs for up to `timeout`; the socket waits a little longer, so the
    // handler's own timeout error arrives rather than a cut connection.
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(timeout).count();
    session.setTimeout(Poco::Timespan(std::min<std::int64_t>(us, 5'000'000)),
                       Poco::Timespan(us + 2'000'000), Poco::Timespan(us + 2'000'000));
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST,
                                   std::string(kRemoteMessagePath),
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    request.setContentType("application/json");
    request.setContentLength(static_cast<std::streamsize>(body.size()));
    request.set(std::string(kRemoteTimeoutHeader), std::to_string(timeout.count()));
    session.sendRequest(request) << body;
    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    std::ostringstream out;
    Poco::StreamCopier::copyStream(in, out);
    answer = out.str();
    status = static_cast<int>(response.getStatus());
  } catch (const Poco::TimeoutException&) {
    return transport(ErrorCode::kTimeout, peer, message, "no answer in time");
  } catch (const Poco::Exception& e) {
    return transport(ErrorCode::kUnavailable, peer, message, e.displayText());
  } catch (const std::exception& e) {
    return transport(ErrorCode::kUnavailable, peer, message, e.what());
  }
  Json json = Json::parse(answer, nullptr, false);
  bool isReply = json.is_object() && json.contains("success") && json["success"].is_boolean();
  if (status == 200 && isReply) return replyFromJson(json);
  if (status != 200 && json.is_object() && json.contains("error")) {
    const Json& e = json["error"];
    return makeError(ErrorCode::kInternal,
                     "the agent at " + peer.text() + " refused " + message.type,
                     e.value("description", std::string()));
  }
  return makeError(ErrorCode::kInternal, "the agent at " + peer.text() + " answered garbage",
                   message.type + ": HTTP " + std::to_string(status) + ", " +
                       answer.substr(0, 200));
}

}  // namespace strato::agent
