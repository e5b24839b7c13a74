#include "query/query_request.h"

#include <cctype>
#include <charconv>
#include <limits>
#include <set>
#include <string_view>

#include "query/condition.h"

namespace strato::kernel {
namespace {

Error badParameter(const std::string& name, const std::string& why) {
  return makeError(ErrorCode::kInvalidArgument, "invalid query parameter '" + name + "': " + why);
}

Result<std::int64_t> parseInteger(const std::string& name, const std::string& text,
                                  std::int64_t min, std::int64_t max) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return badParameter(name, "'" + text + "' is not an integer");
  }
  if (value < min || value > max) {
    return badParameter(name, std::to_string(value) + " is outside " + std::to_string(min) + ".." +
                                  std::to_string(max));
  }
  return value;
}

// ZStack's clients send lowercase; Java's Boolean.parseBoolean ignores case, so do we.
Result<bool> parseBoolean(const std::string& name, const std::string& text) {
  std::string lower;
  for (char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "true") return true;
  if (lower == "false") return false;
  return badParameter(name, "'" + text + "' is not true or false");
}

void splitFields(const std::string& text, std::vector<std::string>& out) {
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    if (comma > start) out.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
}

bool isSingleValued(const std::string& name) {
  static const std::set<std::string, std::less<>> kSingle{
      "sort", "sortBy", "sortDirection", "limit", "start", "count", "replyWithCount", "groupBy"};
  return kSingle.count(name) > 0;
}

}  // namespace

Result<QueryRequest> parseQueryRequest(
    const std::vector<std::pair<std::string, std::string>>& params) {
  QueryRequest request;
  std::set<std::string> seen;
  std::string sortBy;
  std::string sortDirection;
  for (const auto& [name, value] : params) {
    if (isSingleValued(name) && !seen.insert(name).second) {
      return badParameter(name, "given more than once");
    }
    if (name == "q" || name == "condition") {
      if (value.empty()) continue;
      if (auto parsed = parseCondition(value); !parsed) return parsed.error();
      request.conditions.push_back(value);
    } else if (name == "fields") {
      splitFields(value, request.fields);
    } else if (name == "sort") {
      std::string sort = value;
      if (!sort.empty() && sort[0] == ' ') sort[0] = '+';
      if (sort.size() < 2 || (sort[0] != '+' && sort[0] != '-')) {
        return badParameter(name, "'" + value + "' must be +field or -field");
      }
      request.sort = sort;
    } else if (name == "sortBy") {
      if (value.empty()) return badParameter(name, "empty field name");
      sortBy = value;
    } else if (name == "sortDirection") {
      if (value != "asc" && value != "desc") return badParameter(name, "must be asc or desc");
      sortDirection = value;
    } else if (name == "limit") {
      auto limit = parseInteger(name, value, 0, kMaxQueryLimit);
      if (!limit) return limit.error();
      request.limit = *limit;
    } else if (name == "start") {
      auto start = parseInteger(name, value, 0, std::numeric_limits<std::int64_t>::max());
      if (!start) return start.error();
      request.start = *start;
    } else if (name == "count" || name == "replyWithCount") {
      auto flag = parseBoolean(name, value);
      if (!flag) return flag.error();
      (name == "count" ? request.count : request.replyWithCount) = *flag;
    } else if (name == "groupBy") {
      if (value.empty()) return badParameter(name, "empty field name");
      request.groupBy = value;
    } else if (name == "systemTags" || name == "userTags" || name == "timeout") {
      continue;
    } else {
      return makeError(ErrorCode::kInvalidArgument, "unknown query parameter '" + name + "'",
                       "accepted: q, fields, sort, sortBy, sortDirection, limit, start, count, "
                       "replyWithCount, groupBy");
    }
  }
  if (!sortDirection.empty() && sortBy.empty()) {
    return badParameter("sortDirection", "needs sortBy");
  }
  if (!sortBy.empty()) {
    if (!request.sort.empty()) return badParameter("sortBy", "cannot be combined with sort");
    request.sort = (sortDirection == "desc" ? "-" : "+") + sortBy;
  }
  return request;
}

}  // namespace strato::kernel
