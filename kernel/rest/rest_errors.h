// The one table from domain error codes to HTTP status and ZStack error code, and the ZStack
// error body: {"error":{"code","description","details","elaboration","opaque","cause"}}.
#pragma once

#include <string>

#include "strato/json.h"
#include "strato/result.h"

namespace strato::kernel {

struct RestErrorMapping {
  int httpStatus;        // for APIs answered at once; a failed async job always polls as 503
  const char* zstackCode;
};

RestErrorMapping restErrorMapping(ErrorCode code);
Json errorBody(const Error& error);

}  // namespace strato::kernel
