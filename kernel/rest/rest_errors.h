// The one table from domain error codes to HTTP status and ZStack error code, and the ZStack
// error body: {"error":{"code","description","details","elaboration","opaque","cause"}}.
#pragma once

#include <string>

#include "http/http_server.h"
#include "strato/json.h"
#include "strato/result.h"

namespace strato::kernel {

struct RestErrorMapping {
  int httpStatus;  // for APIs answered at once; a failed async job always polls as 503
  const char* zstackCode;
};

RestErrorMapping restErrorMapping(ErrorCode code);
Json errorBody(const Error& error);

HttpResponse jsonResponse(int status, const Json& body);
// The error's mapped status with its error body.
HttpResponse errorResponse(const Error& error);
// A status chosen by the caller (404, 405, ...) with the error body of `code`.
HttpResponse errorResponse(int status, ErrorCode code, std::string message,
                           std::string details = {});

}  // namespace strato::kernel
