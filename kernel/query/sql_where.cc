#include "query/sql_where.h"

#include "query/field_codec.h"

namespace strato::kernel {
namespace {

constexpr std::string_view kBinary = " COLLATE utf8mb4_bin";
constexpr std::string_view kCaseless = " COLLATE utf8mb4_general_ci";

// More bound values than this in one query is refused: SQLite's own limit is 32766, and a
// request that large is a mistake, not a query.
constexpr std::size_t kMaxParams = 10000;

std::string sqlOperator(ConditionOp op) {
  switch (op) {
    case ConditionOp::kEq:
      return "=";
    case ConditionOp::kNe:
      return "<>";
    case ConditionOp::kGt:
      return ">";
    case ConditionOp::kGe:
      return ">=";
    case ConditionOp::kLt:
      return "<";
    case ConditionOp::kLe:
      return "<=";
    case ConditionOp::kIn:
      return "IN";
    case ConditionOp::kNotIn:
      return "NOT IN";
    case ConditionOp::kLike:
      return "LIKE";
    case ConditionOp::kNotLike:
      return "NOT LIKE";
    case ConditionOp::kIsNull:
      return "IS NULL";
    case ConditionOp::kNotNull:
      return "IS NOT NULL";
  }
  return "=";
}

std::string placeholders(std::size_t n, std::string_view suffix) {
  std::string out = "(";
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0) out += ", ";
    out += "?";
    out += suffix;
  }
  return out + ")";
}

Error unknownName(const InventorySchema& schema, const Condition& c, const std::string& name) {
  return makeError(ErrorCode::kInvalidArgument,
                   "unknown field or relation '" + name + "' in query condition '" + c.pathText() +
                       std::string(toString(c.op)) + "' on inventory '" + schema.name + "'",
                   describeNames(schema));
}

}  // namespace

std::string quoteIdentifier(std::string_view name) { return "`" + std::string(name) + "`"; }

bool isText(FieldType type) { return type == FieldType::kString || type == FieldType::kJson; }

std::string describeNames(const InventorySchema& schema) {
  std::string fields;
  for (const auto& f : schema.fields) fields += (fields.empty() ? "" : ", ") + f.name;
  std::string relations;
  for (const auto& r : schema.relations) relations += (relations.empty() ? "" : ", ") + r.name;
  std::string text = "fields: " + fields;
  if (findField(schema, "uuid")) {
    text += ", " + std::string(kSystemTagField) + ", " + std::string(kUserTagField);
  }
  return text + "; relations: " + (relations.empty() ? "none" : relations);
}

std::string orderKey(DbDialect dialect, const std::string& alias, const InventoryField& field) {
  std::string column = alias + "." + quoteIdentifier(columnOf(field));
  if (dialect == DbDialect::kMysql && isText(field.type)) {
    // CONVERT first: a latin1 column cannot take a utf8mb4 collation directly.
    return "CONVERT(" + column + " USING utf8mb4)" + std::string(kBinary);
  }
  return column;
}

std::string SqlWhere::sql() const {
  std::string out;
  for (const auto& clause : clauses_) out += (out.empty() ? " WHERE " : " AND ") + clause;
  return out;
}

std::string SqlWhere::nextAlias(char prefix) { return prefix + std::to_string(++aliases_); }

Status SqlWhere::add(const InventorySchema& root, const Condition& condition) {
  if (condition.path.size() > kMaxPathHops + 1) {
    return makeError(ErrorCode::kInvalidArgument, "query condition path '" + condition.pathText() +
                                                      "' follows more than " +
                                                      std::to_string(kMaxPathHops) + " relations");
  }
  // Walk the relations first: each hop opens `<prev>.<local> IN (SELECT <t>.<remote> FROM ...
  // WHERE`, and the field predicate goes innermost.
  const InventorySchema* schema = &root;
  std::string alias = "t0";
  std::string sql;
  std::string closing;
  for (std::size_t i = 0; i + 1 < condition.path.size(); ++i) {
    const InventoryRelation* relation = findRelation(*schema, condition.path[i]);
    if (relation == nullptr) return unknownName(*schema, condition, condition.path[i]);
    const InventorySchema* target = catalog_.find(relation->inventory);
    const InventoryField* local = findField(*schema, relation->localField);
    const InventoryField* remote = target ? findField(*target, relation->remoteField) : nullptr;
    if (local == nullptr || remote == nullptr) {
      return makeError(ErrorCode::kInternal, "inventory '" + schema->name + "' relation '" +
                                                 relation->name + "' is inconsistent");
    }
    std::string next = nextAlias('t');
    sql += alias + "." + quoteIdentifier(columnOf(*local)) + " IN (SELECT " + next + "." +
           quoteIdentifier(columnOf(*remote)) + " FROM " + quoteIdentifier(target->table) + " " +
           next + " WHERE ";
    closing += ")";
    schema = target;
    alias = next;
  }
  auto innermost = predicate(*schema, alias, condition);
  if (!innermost) return innermost.error();
  if (params_.size() > kMaxParams) {
    return makeError(ErrorCode::kInvalidArgument,
                     "query has more than " + std::to_string(kMaxParams) + " values");
  }
  clauses_.push_back(sql + *innermost + closing);
  return {};
}

Result<std::string> SqlWhere::predicate(const InventorySchema& schema, const std::string& alias,
                                        const Condition& condition) {
  const std::string& name = condition.field();
  if (name == kSystemTagField || name == kUserTagField) {
    return tagPredicate(schema, alias, condition);
  }
  const InventoryField* field = findField(schema, name);
  if (field == nullptr) {
    if (findRelation(schema, name)) {
      return makeError(ErrorCode::kInvalidArgument,
                       "query condition '" + condition.pathText() + "' ends at relation '" + name +
                           "': name one of its fields, e.g. " + condition.pathText() + ".uuid");
    }
    return unknownName(schema, condition, name);
  }
  return fieldPredicate(*field, alias + "." + quoteIdentifier(columnOf(*field)), condition);
}

Result<std::vector<DbValue>> SqlWhere::listValues(const InventoryField& field, const Condition& c) {
  if (c.value.empty()) {
    return makeError(ErrorCode::kInvalidArgument, "query condition '" + c.pathText() +
                                                      std::string(toString(c.op)) +
                                                      "' has an empty value list");
  }
  std::vector<DbValue> values;
  std::size_t start = 0;
  while (true) {
    std::size_t comma = c.value.find(',', start);
    std::string_view item = std::string_view(c.value).substr(
        start, comma == std::string::npos ? std::string::npos : comma - start);
    auto value = toBoundValue(field, item);
    if (!value) return value.error();
    values.push_back(std::move(*value));
    if (comma == std::string::npos || values.size() > kMaxParams) break;
    start = comma + 1;
  }
  return values;
}

Result<std::string> SqlWhere::fieldPredicate(const InventoryField& field, const std::string& column,
                                             const Condition& condition) {
  const ConditionOp op = condition.op;
  const bool mysqlText = dialect_ == DbDialect::kMysql && isText(field.type);
  switch (op) {
    case ConditionOp::kIsNull:
    case ConditionOp::kNotNull:
      return column + " " + sqlOperator(op);
    case ConditionOp::kLike:
    case ConditionOp::kNotLike:
      // Patterns are the user's, bound as text whatever the field's type.
      params_.emplace_back(condition.value);
      if (dialect_ == DbDialect::kSqlite) return column + " " + sqlOperator(op) + " ? ESCAPE '\\'";
      return column + " " + sqlOperator(op) + " ?" + (mysqlText ? std::string(kCaseless) : "");
    case ConditionOp::kIn:
    case ConditionOp::kNotIn: {
      auto values = listValues(field, condition);
      if (!values) return values.error();
      const std::size_t n = values->size();
      if (!mysqlText) {
        params_.insert(params_.end(), values->begin(), values->end());
        return column + " " + sqlOperator(op) + " " + placeholders(n, "");
      }
      std::string binary = column + " " + sqlOperator(op) + " " + placeholders(n, kBinary);
      if (op == ConditionOp::kNotIn) {
        params_.insert(params_.end(), values->begin(), values->end());
        return binary;
      }
      // The plain IN lets MySQL use the column's index; the binary one decides.
      for (int pass = 0; pass < 2; ++pass) {
        params_.insert(params_.end(), values->begin(), values->end());
      }
      return "(" + column + " IN " + placeholders(n, "") + " AND " + binary + ")";
    }
    default: {
      auto value = toBoundValue(field, condition.value);
      if (!value) return value.error();
      std::string compare = column + " " + sqlOperator(op) + " ?";
      if (!mysqlText) {
        params_.push_back(std::move(*value));
        return compare;
      }
      if (op == ConditionOp::kEq) {
        params_.push_back(*value);
        params_.push_back(std::move(*value));
        return "(" + compare + " AND " + compare + std::string(kBinary) + ")";
      }
      params_.push_back(std::move(*value));
      return compare + std::string(kBinary);
    }
  }
}

Result<std::string> SqlWhere::tagPredicate(const InventorySchema& schema, const std::string& alias,
                                           const Condition& condition) {
  const InventoryField* uuid = findField(schema, "uuid");
  if (uuid == nullptr) {
    return makeError(ErrorCode::kInvalidArgument, "inventory '" + schema.name +
                                                      "' has no uuid, so no tags: cannot query '" +
                                                      condition.pathText() + "'");
  }
  const std::string table = condition.field() == kSystemTagField ? "system_tag" : "user_tag";
  const std::string tagAlias = nextAlias('g');
  const std::string subquery =
      "(SELECT " + tagAlias + ".`resourceUuid` FROM `" + table + "` " + tagAlias;
  const std::string self = alias + "." + quoteIdentifier(columnOf(*uuid));
  if (condition.op == ConditionOp::kIsNull) return self + " NOT IN " + subquery + ")";
  if (condition.op == ConditionOp::kNotNull) return self + " IN " + subquery + ")";

  Condition positive = condition;
  positive.op = positiveOf(condition.op);
  static const InventoryField kTag{"tag", FieldType::kString, ""};
  auto match = fieldPredicate(kTag, tagAlias + ".`tag`", positive);
  if (!match) return match.error();
  const char* in = isNegation(condition.op) ? " NOT IN " : " IN ";
  return self + in + subquery + " WHERE " + *match + ")";
}

void SqlWhere::addTrusted(std::string clause, std::vector<DbValue> values) {
  clauses_.push_back(std::move(clause));
  params_.insert(params_.end(), std::make_move_iterator(values.begin()), std::make_move_iterator(values.end()));
}

}  // namespace strato::kernel
