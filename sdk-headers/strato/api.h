// APIs are data: a plugin declares each REST API it serves and names the bus message type that
// handles it. The REST front end routes, validates, authenticates, runs the handler as an async
// job where the API is async, and renders the reply; the plugin writes only the handler.
//
// What a handler receives (Message::body of the request sent to `messageType`):
//   {"api": "CreateZone",                 the API name
//    "params": {...},                     URL variables, query string (GET/DELETE) and the body's
//                                         action object merged into one object, already checked
//                                         against `params`; "systemTags"/"userTags" included
//    "session": {"uuid", "accountUuid", "userUuid", "admin"}   null for APIs without a session
//    "jobUuid": "..."}                    the async job's uuid (also the task-progress api id)
// Message::resourceUuid is the path's `{uuid}` variable when there is one, so calls on one
// resource run one at a time. The handler replies with the JSON object the client gets back,
// e.g. {"inventory": {...}} or {} for an empty response, or with an Error whose code picks the
// HTTP status and ZStack error code (see result.h).
#pragma once

#include <string>
#include <string_view>
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
  std::string name;  // e.g. "CreateZone", unique across all plugins
  HttpMethod method = HttpMethod::kGet;
  std::string path;       // e.g. "/zstack/v1/zones/{uuid}/actions"
  std::string actionKey;  // body key that selects this API on a shared path ("params", ...)
  std::vector<ApiParam> params;
  std::string responseKind;  // "inventory", "inventories", "empty", ...
  std::string messageType;   // bus message type whose handler runs this API
  // Further URL forms of the same API, e.g. "/zstack/v1/zones/{uuid}" for QueryZone.
  std::vector<std::string> extraPaths;
  // The inventory (see inventory.h) this API returns. A declaration with an inventory and no
  // messageType is a query API: the kernel's query engine answers it, no handler needed. For
  // other APIs it names the resource type that the request's systemTags/userTags are attached to
  // once the handler returned {"inventory": {"uuid": ...}}.
  std::string inventory;
  // Login-style APIs run without a session and answer at once instead of as an async job.
  bool needsSession = true;
  bool synchronous = false;  // GET APIs always are
  // Only an admin session may call it (hardware, global settings, other accounts' affairs);
  // the kernel answers anyone else with kPermissionDenied before the handler runs.
  bool adminOnly = false;
};

// Event a handler may publish while its job runs; GetTaskProgress shows them.
// Body: {"apiId": <jobUuid>, "content": "what is happening", "percent": 0..100}.
inline constexpr std::string_view kTaskProgressEvent = "kernel.TaskProgress";

}  // namespace strato
