#include "rest/rest_errors.h"

namespace strato::kernel {

// Status codes follow section 2.4 of the ZStack manual: 400 for a bad request, 503 for an
// operation that failed, 500 for our own bugs; 403 and 501 are added for permission and for
// routes no plugin implements yet, so a client can tell them apart.
RestErrorMapping restErrorMapping(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return {400, "SYS.1007"};
    case ErrorCode::kUnauthenticated:
      return {400, "ID.1001"};
    case ErrorCode::kPermissionDenied:
      return {403, "ID.1002"};
    case ErrorCode::kNotFound:
      return {503, "SYS.1006"};
    case ErrorCode::kAlreadyExists:
      return {503, "SYS.1008"};
    case ErrorCode::kConflict:
      return {503, "SYS.1001"};
    case ErrorCode::kNotSupported:
      return {503, "SYS.1009"};
    case ErrorCode::kNotImplemented:
      return {501, "SYS.1010"};
    case ErrorCode::kTimeout:
      return {503, "SYS.1003"};
    case ErrorCode::kCancelled:
      return {503, "SYS.1004"};
    case ErrorCode::kUnavailable:
      return {503, "SYS.1005"};
    case ErrorCode::kInternal:
      return {500, "SYS.1000"};
  }
  return {500, "SYS.1000"};
}

Json errorBody(const Error& error) {
  return Json{{"error",
               {{"code", restErrorMapping(error.code).zstackCode},
                {"description", error.message},
                {"details", error.details},
                {"elaboration", ""},
                {"opaque", Json::object()},
                {"cause", nullptr}}}};
}

HttpResponse jsonResponse(int status, const Json& body) {
  HttpResponse r;
  r.status = status;
  r.body = body.dump();
  return r;
}

HttpResponse errorResponse(const Error& error) {
  return jsonResponse(restErrorMapping(error.code).httpStatus, errorBody(error));
}

HttpResponse errorResponse(int status, ErrorCode code, std::string message, std::string details) {
  return jsonResponse(status, errorBody(makeError(code, std::move(message), std::move(details))));
}

}  // namespace strato::kernel
