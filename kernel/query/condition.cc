#include "query/condition.h"

#include <array>
#include <cctype>
#include <utility>

namespace strato::kernel {
namespace {

bool isFieldChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
}

// Longest first, so a prefix never shadows a longer operator starting at the same place.
constexpr std::array<std::pair<std::string_view, ConditionOp>, 10> kOperators{{
    {"!?=", ConditionOp::kNotIn},
    {"!~=", ConditionOp::kNotLike},
    {"!=", ConditionOp::kNe},
    {">=", ConditionOp::kGe},
    {"<=", ConditionOp::kLe},
    {"?=", ConditionOp::kIn},
    {"~=", ConditionOp::kLike},
    {"=", ConditionOp::kEq},
    {">", ConditionOp::kGt},
    {"<", ConditionOp::kLt},
}};

Error badCondition(std::string_view text, const std::string& why) {
  return makeError(ErrorCode::kInvalidArgument,
                   "invalid query condition '" + std::string(text) + "': " + why,
                   "operators: = != > >= < <= ?= !?= ~= !~= =null !=null");
}

}  // namespace

std::string Condition::pathText() const {
  std::string text;
  for (const auto& segment : path) {
    if (!text.empty()) text += '.';
    text += segment;
  }
  return text;
}

std::string_view toString(ConditionOp op) {
  switch (op) {
    case ConditionOp::kEq:
      return "=";
    case ConditionOp::kNe:
      return "!=";
    case ConditionOp::kGt:
      return ">";
    case ConditionOp::kGe:
      return ">=";
    case ConditionOp::kLt:
      return "<";
    case ConditionOp::kLe:
      return "<=";
    case ConditionOp::kIn:
      return "?=";
    case ConditionOp::kNotIn:
      return "!?=";
    case ConditionOp::kLike:
      return "~=";
    case ConditionOp::kNotLike:
      return "!~=";
    case ConditionOp::kIsNull:
      return "=null";
    case ConditionOp::kNotNull:
      return "!=null";
  }
  return "?";
}

bool isNegation(ConditionOp op) {
  return op == ConditionOp::kNe || op == ConditionOp::kNotIn || op == ConditionOp::kNotLike ||
         op == ConditionOp::kNotNull;
}

ConditionOp positiveOf(ConditionOp op) {
  switch (op) {
    case ConditionOp::kNe:
      return ConditionOp::kEq;
    case ConditionOp::kNotIn:
      return ConditionOp::kIn;
    case ConditionOp::kNotLike:
      return ConditionOp::kLike;
    case ConditionOp::kNotNull:
      return ConditionOp::kIsNull;
    default:
      return op;
  }
}

Result<Condition> parseCondition(std::string_view text) {
  std::size_t at = 0;
  while (at < text.size() && isFieldChar(text[at])) ++at;
  if (at == text.size()) return badCondition(text, "no operator");
  if (at == 0) return badCondition(text, "no field name before the operator");

  const std::string_view rest = text.substr(at);
  const std::pair<std::string_view, ConditionOp>* match = nullptr;
  for (const auto& candidate : kOperators) {
    if (rest.substr(0, candidate.first.size()) == candidate.first) {
      match = &candidate;
      break;
    }
  }
  if (match == nullptr) {
    if (std::isspace(static_cast<unsigned char>(text[at]))) {
      return badCondition(text, "no spaces are allowed between field, operator and value");
    }
    return badCondition(text, "unknown operator at '" + std::string(rest.substr(0, 3)) + "'");
  }

  Condition condition;
  condition.op = match->second;
  condition.value = std::string(rest.substr(match->first.size()));
  std::string_view fieldPart = text.substr(0, at);
  std::size_t start = 0;
  while (true) {
    std::size_t dot = fieldPart.find('.', start);
    std::string_view segment =
        fieldPart.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (segment.empty()) return badCondition(text, "empty segment in field path");
    condition.path.emplace_back(segment);
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (condition.value == "null") {
    if (condition.op == ConditionOp::kEq) condition.op = ConditionOp::kIsNull;
    if (condition.op == ConditionOp::kNe) condition.op = ConditionOp::kNotNull;
  }
  return condition;
}

}  // namespace strato::kernel
