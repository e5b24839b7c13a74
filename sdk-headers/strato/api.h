// APIs are data: a plugin declares each REST API it serves and names the bus message type that
// handles it. The REST front end routes, validates, authenticates and renders; the plugin writes
// only the handler.
#pragma once

#include <string>
#include <vector>

namespace strato {

enum class HttpMethod { kGet, kPost, kPut, kDelete };

enum class ParamType { kString, kInteger, kLong, kFloat, kBoolean, kList, kMap };

struct ApiParam {
  std::string name;
  ParamType type = ParamType::kString;
  bool required = false;
  std::vector<std::string> allowedValues;  // empty = any value of the type
};

struct ApiDeclaration {
  std::string name;          // e.g. "CreateZone", unique across all plugins
  HttpMethod method = HttpMethod::kGet;
  std::string path;          // e.g. "/zstack/v1/zones/{uuid}/actions"
  std::string actionKey;     // body key that selects this API on a shared path ("params", ...)
  std::vector<ApiParam> params;
  std::string responseKind;  // "inventory", "inventories", "empty", ...
  std::string messageType;   // bus message type whose handler runs this API
};

}  // namespace strato
