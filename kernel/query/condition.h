// One query condition (`q=`), e.g. `vmNics.l3Network.name~=pub%`, parsed into its path, operator
// and value. Syntax only: whether the path names real fields and relations is the query engine's
// business, because that needs the inventory schemas.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "strato/result.h"

namespace strato::kernel {

enum class ConditionOp {
  kEq,       // =
  kNe,       // !=
  kGt,       // >
  kGe,       // >=
  kLt,       // <
  kLe,       // <=
  kIn,       // ?=   comma-separated list
  kNotIn,    // !?=  comma-separated list
  kLike,     // ~=   SQL LIKE pattern, % and _ are wildcards
  kNotLike,  // !~=
  kIsNull,   // =null
  kNotNull,  // !=null
};

// Special last path segments matching a resource's tags instead of one of its fields.
inline constexpr std::string_view kSystemTagField = "__systemTag__";
inline constexpr std::string_view kUserTagField = "__userTag__";

struct Condition {
  // Relation names, then the field (or a tag pseudo-field) last; never empty.
  std::vector<std::string> path;
  ConditionOp op = ConditionOp::kEq;
  std::string value;  // everything after the operator, verbatim ("null" for kIsNull/kNotNull)

  const std::string& field() const { return path.back(); }
  std::string pathText() const;  // segments joined with '.'
};

// The operator as written on the wire, e.g. "!?=" ("=null" / "!=null" for the null tests).
std::string_view toString(ConditionOp op);

// Parses `field<op>value`. The field part is [A-Za-z0-9_.]; the operator starts at the first
// other character and is matched longest first, so `a>=1` is `>=` and `a==x` is `=` with value
// "=x". No spaces may surround the operator (section 2.9); the value may contain anything.
// `=null` / `!=null` become kIsNull / kNotNull, as ZStack does: a string field cannot be
// compared with the literal text "null".
Result<Condition> parseCondition(std::string_view text);

// Negated operators and their positive counterparts: kNe <-> kEq, kNotIn <-> kIn,
// kNotLike <-> kLike, kNotNull <-> kIsNull. Others are not negations.
bool isNegation(ConditionOp op);
ConditionOp positiveOf(ConditionOp op);

}  // namespace strato::kernel
