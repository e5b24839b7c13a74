#include "support/http_client.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

namespace strato::test {

HttpReply httpRequest(const std::string& method, const std::string& host, int port,
                      const std::string& pathAndQuery, const std::string& body,
                      const std::map<std::string, std::string>& headers,
                      std::chrono::milliseconds timeout) {
  HttpReply reply;
  try {
    Poco::Net::HTTPClientSession session(host, static_cast<Poco::UInt16>(port));
    session.setTimeout(Poco::Timespan(static_cast<long>(timeout.count()) * 1000));
    Poco::Net::HTTPRequest request(method, pathAndQuery, Poco::Net::HTTPMessage::HTTP_1_1);
    for (const auto& [name, value] : headers) request.set(name, value);
    if (!body.empty()) {
      request.setContentType("application/json");
      request.setContentLength(static_cast<std::streamsize>(body.size()));
    }
    session.sendRequest(request) << body;
    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    Poco::StreamCopier::copyToString(in, reply.body);
    reply.status = static_cast<int>(response.getStatus());
    for (const auto& [name, value] : response) reply.headers[name] = value;
  } catch (const Poco::Exception& e) {
    reply.error = e.displayText();
  } catch (const std::exception& e) {
    reply.error = e.what();
  }
  return reply;
}

}  // namespace strato::test
