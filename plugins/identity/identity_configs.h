// The identity plugin's global configs (category "identity"), read at use time so an update
// through UpdateGlobalConfig takes effect on the next login without a restart.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strato/global_config.h"

namespace strato::identity {

inline constexpr std::string_view kConfigCategory = "identity";
inline constexpr std::string_view kSessionTimeout = "session.timeout";
inline constexpr std::string_view kSessionMaxConcurrent = "session.maxConcurrent";

inline constexpr std::int64_t kDefaultSessionTimeoutSeconds = 7200;
inline constexpr std::int64_t kDefaultMaxConcurrentSessions = 500;
// Upper bound of session.timeout and of a RenewSession duration: one year.
inline constexpr std::int64_t kMaxSessionSeconds = 31536000;

inline std::vector<GlobalConfigDeclaration> identityConfigs() {
  return {
      {std::string(kConfigCategory),
       std::string(kSessionTimeout),
       std::to_string(kDefaultSessionTimeoutSeconds),
       "Seconds a new session stays valid (RenewSession may extend it)",
       GlobalConfigType::kInteger,
       60,
       static_cast<double>(kMaxSessionSeconds),
       {}},
      {std::string(kConfigCategory),
       std::string(kSessionMaxConcurrent),
       std::to_string(kDefaultMaxConcurrentSessions),
       "Live sessions one account may hold; a login beyond it is refused",
       GlobalConfigType::kInteger,
       1,
       std::nullopt,
       {}},
  };
}

}  // namespace strato::identity
