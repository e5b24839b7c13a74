// Turns what a request carries (path variables, query string, the body's action object) into
// one params object and checks it against the API's declared parameters.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "strato/api.h"
#include "strato/json.h"
#include "strato/result.h"

namespace strato::kernel {

using QueryPairs = std::vector<std::pair<std::string, std::string>>;

// Query-string values arrive as text and are converted to the declared types; repeated keys
// make lists. Path variables win over anything else of the same name. Tags may come at the
// body's top level or inside the action object.
Result<Json> collectParams(const ApiDeclaration& api,
                           const std::map<std::string, std::string>& pathVariables,
                           const QueryPairs& query, const Json& body);

// Missing required, badly typed, not allowed or unknown parameters give kInvalidArgument
// naming the parameter. Converts text to the declared type where that is lossless.
Status validateParams(const ApiDeclaration& api, Json& params);

// "a=1&b=x%20y" -> {{"a","1"},{"b","x y"}}; '+' is a space. Malformed escapes are an error.
Result<QueryPairs> parseQueryString(std::string_view query);

}  // namespace strato::kernel
