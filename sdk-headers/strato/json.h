// The SDK's JSON type. nlohmann::json 3.11 tags its namespace with its ABI version, so a plugin
// built against an incompatible copy fails to link instead of misbehaving.
#pragma once

#include <nlohmann/json.hpp>

namespace strato {
using Json = nlohmann::json;
}  // namespace strato
