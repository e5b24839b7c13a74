// Sessions: the REST front end turns `Authorization: OAuth <session uuid>` into a SessionInfo
// through the one registered SessionResolver (the identity plugin provides it).
#pragma once

#include <string>
#include <string_view>

#include "strato/json.h"
#include "strato/result.h"

namespace strato {

struct SessionInfo {
  std::string uuid;
  std::string accountUuid;
  std::string userUuid;
  bool admin = false;

  Json toJson() const {
    return Json{
        {"uuid", uuid}, {"accountUuid", accountUuid}, {"userUuid", userUuid}, {"admin", admin}};
  }
};

class SessionResolver {
 public:
  static constexpr std::string_view kExtensionPoint = "strato.SessionResolver";
  virtual ~SessionResolver() = default;
  // Called on HTTP threads for every request that needs a session: answer from memory where
  // possible; it may block briefly on the database. kUnauthenticated for an unknown or expired
  // session.
  virtual Result<SessionInfo> resolve(std::string_view sessionUuid) = 0;
};

}  // namespace strato
