#include "rest/api_params.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace strato::kernel {
namespace {

Error invalid(const std::string& message, std::string details = {}) {
  return makeError(ErrorCode::kInvalidArgument, message, std::move(details));
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> urlDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%') {
      int hi = i + 2 < s.size() ? hexValue(s[i + 1]) : -1;
      int lo = i + 2 < s.size() ? hexValue(s[i + 2]) : -1;
      if (hi < 0 || lo < 0)
        return invalid("malformed %-escape in the query string", std::string(s));
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

bool isTagParam(const std::string& name) { return name == "systemTags" || name == "userTags"; }

std::string_view typeName(ParamType t) {
  switch (t) {
    case ParamType::kString:
      return "a string";
    case ParamType::kInteger:
      return "an integer";
    case ParamType::kLong:
      return "an integer";
    case ParamType::kFloat:
      return "a number";
    case ParamType::kBoolean:
      return "true or false";
    case ParamType::kList:
      return "a list";
    case ParamType::kMap:
      return "an object";
  }
  return "a value";
}

// Converts `value` to `type` in place where a client may fairly send either form (numbers as
// text from a query string, a single item for a list); false when it is not of the type.
bool coerce(Json& value, ParamType type) {
  switch (type) {
    case ParamType::kString:
      if (value.is_number()) value = value.dump();
      return value.is_string();
    case ParamType::kInteger:
    case ParamType::kLong: {
      std::int64_t n = 0;
      if (value.is_number_unsigned()) {
        if (value.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) return false;
        n = value.get<std::int64_t>();
      } else if (value.is_number_integer()) {
        n = value.get<std::int64_t>();
      } else if (value.is_number_float()) {
        double d = value.get<double>();
        if (std::trunc(d) != d || std::abs(d) > 9.007e15) return false;
        n = static_cast<std::int64_t>(d);
      } else if (value.is_string()) {
        const auto& s = value.get_ref<const std::string&>();
        auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
        if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return false;
      } else {
        return false;
      }
      // Integer is Java's int, whatever form the number came in.
      if (type == ParamType::kInteger && (n > INT32_MAX || n < INT32_MIN)) return false;
      value = n;
      return true;
    }
    case ParamType::kFloat: {
      if (value.is_number()) return true;
      if (!value.is_string()) return false;
      const auto& s = value.get_ref<const std::string&>();
      double d = 0;
      auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
      if (s.empty() || ec != std::errc() || end != s.data() + s.size() || !std::isfinite(d))
        return false;
      value = d;
      return true;
    }
    case ParamType::kBoolean:
      if (value.is_string() && (value == "true" || value == "false")) value = value == "true";
      return value.is_boolean();
    case ParamType::kList:
      if (value.is_string()) {
        // From a query string: "a,b" or a single item.
        Json list = Json::array();
        std::string_view rest = value.get_ref<const std::string&>();
        while (!rest.empty()) {
          auto comma = rest.find(',');
          list.push_back(std::string(rest.substr(0, comma)));
          if (comma == std::string_view::npos) break;
          rest.remove_prefix(comma + 1);
        }
        value = std::move(list);
      }
      return value.is_array();
    case ParamType::kMap:
      return value.is_object();
  }
  return false;
}

}  // namespace

Result<QueryPairs> parseQueryString(std::string_view query) {
  QueryPairs out;
  while (!query.empty()) {
    auto amp = query.find('&');
    auto item = query.substr(0, amp);
    if (!item.empty()) {
      auto eq = item.find('=');
      auto key = urlDecode(item.substr(0, eq));
      if (!key) return key.error();
      auto value = urlDecode(eq == std::string_view::npos ? "" : item.substr(eq + 1));
      if (!value) return value.error();
      out.emplace_back(std::move(*key), std::move(*value));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return out;
}

Result<Json> collectParams(const ApiDeclaration& api,
                           const std::map<std::string, std::string>& pathVariables,
                           const QueryPairs& query, const Json& body) {
  Json params = Json::object();
  if (!api.actionKey.empty() && body.is_object()) {
    // The action object is found case-insensitively by the router; take whichever spelling came.
    for (const auto& [key, value] : body.items()) {
      if (key.size() != api.actionKey.size() ||
          !std::equal(key.begin(), key.end(), api.actionKey.begin(), [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) ==
                   std::tolower(static_cast<unsigned char>(b));
          })) {
        continue;
      }
      if (value.is_null()) break;
      if (!value.is_object()) return invalid("'" + key + "' must be a JSON object");
      params = value;
      break;
    }
  }
  if (body.is_object()) {
    for (const char* tags : {"systemTags", "userTags"}) {
      if (body.contains(tags) && !params.contains(tags)) params[tags] = body[tags];
    }
  }
  for (const auto& [key, value] : query) {
    if (!params.contains(key)) {
      params[key] = value;
    } else if (params[key].is_array()) {
      params[key].push_back(value);
    } else {
      params[key] = Json::array({params[key], value});
    }
  }
  for (const auto& [key, value] : pathVariables) params[key] = value;
  return params;
}

Status validateParams(const ApiDeclaration& api, Json& params) {
  for (const auto& p : api.params) {
    auto it = params.find(p.name);
    if (it == params.end() || it->is_null()) {
      if (p.required) return invalid("missing required parameter '" + p.name + "'");
      if (it != params.end()) params.erase(it);
      continue;
    }
    if (!coerce(*it, p.type)) {
      return invalid("parameter '" + p.name + "' must be " + std::string(typeName(p.type)),
                     "got " + it->dump());
    }
    if (p.required && it->is_string() && it->get_ref<const std::string&>().empty()) {
      return invalid("parameter '" + p.name + "' must not be empty");
    }
    if (!p.allowedValues.empty() && it->is_string() &&
        std::find(p.allowedValues.begin(), p.allowedValues.end(), it->get<std::string>()) ==
            p.allowedValues.end()) {
      std::string allowed;
      for (const auto& v : p.allowedValues) allowed += (allowed.empty() ? "" : ", ") + v;
      return invalid("parameter '" + p.name + "' must be one of " + allowed, "got " + it->dump());
    }
  }
  for (auto& [name, value] : params.items()) {
    if (isTagParam(name)) {
      if (!coerce(value, ParamType::kList))
        return invalid("'" + name + "' must be a list of strings");
      for (const auto& tag : value) {
        if (!tag.is_string()) return invalid("'" + name + "' must be a list of strings");
      }
      continue;
    }
    bool declared = std::any_of(api.params.begin(), api.params.end(),
                                [&](const ApiParam& p) { return p.name == name; });
    if (!declared) {
      std::string known;
      for (const auto& p : api.params) known += (known.empty() ? "" : ", ") + p.name;
      return invalid("unknown parameter '" + name + "' for " + api.name,
                     known.empty() ? "it takes no parameters" : "known: " + known);
    }
  }
  return {};
}

}  // namespace strato::kernel
