// Pure parsing: query conditions, query-string parameters and value conversion. The SQL they
// become is tested against real databases in query_engine_test.cc.
#include "query/condition.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

#include "query/field_codec.h"
#include "query/json_text.h"
#include "query/query_request.h"

namespace strato::kernel {
namespace {

using Params = std::vector<std::pair<std::string, std::string>>;

Condition parsed(std::string_view text) {
  auto c = parseCondition(text);
  EXPECT_TRUE(c.ok()) << text << ": " << (c.ok() ? "" : c.error().describe());
  return c.ok() ? *c : Condition{};
}

TEST(Condition, EveryOperator) {
  const std::vector<std::pair<std::string, ConditionOp>> cases{
      {"a=1", ConditionOp::kEq},       {"a!=1", ConditionOp::kNe},     {"a>1", ConditionOp::kGt},
      {"a>=1", ConditionOp::kGe},      {"a<1", ConditionOp::kLt},      {"a<=1", ConditionOp::kLe},
      {"a?=1", ConditionOp::kIn},      {"a!?=1", ConditionOp::kNotIn}, {"a~=1", ConditionOp::kLike},
      {"a!~=1", ConditionOp::kNotLike}};
  for (const auto& [text, op] : cases) {
    Condition c = parsed(text);
    EXPECT_EQ(c.op, op) << text;
    EXPECT_EQ(c.path, std::vector<std::string>{"a"}) << text;
    EXPECT_EQ(c.value, "1") << text;
    EXPECT_EQ(std::string(toString(c.op)), text.substr(1, text.size() - 2)) << text;
  }
}

TEST(Condition, NullTests) {
  EXPECT_EQ(parsed("name=null").op, ConditionOp::kIsNull);
  EXPECT_EQ(parsed("name!=null").op, ConditionOp::kNotNull);
  // Only the exact word: other operators and other values stay what they are.
  EXPECT_EQ(parsed("name~=null").op, ConditionOp::kLike);
  EXPECT_EQ(parsed("name=nullx").op, ConditionOp::kEq);
  EXPECT_EQ(parsed("name=NULL").op, ConditionOp::kEq);
}

TEST(Condition, LongestOperatorFirstAndValueVerbatim) {
  Condition c = parsed("a==x");
  EXPECT_EQ(c.op, ConditionOp::kEq);
  EXPECT_EQ(c.value, "=x");
  c = parsed("a>==1");
  EXPECT_EQ(c.op, ConditionOp::kGe);
  EXPECT_EQ(c.value, "=1");
  c = parsed("name=x' OR '1'='1 and spaces");
  EXPECT_EQ(c.value, "x' OR '1'='1 and spaces");
  c = parsed("name=");
  EXPECT_EQ(c.op, ConditionOp::kEq);
  EXPECT_EQ(c.value, "");
  c = parsed("createDate>Nov 14, 2017 10:20:57 PM");
  EXPECT_EQ(c.value, "Nov 14, 2017 10:20:57 PM");
}

TEST(Condition, PathSegments) {
  Condition c = parsed("vmNics.l3Network.zone.name~=z%");
  EXPECT_EQ(c.path, (std::vector<std::string>{"vmNics", "l3Network", "zone", "name"}));
  EXPECT_EQ(c.field(), "name");
  EXPECT_EQ(c.pathText(), "vmNics.l3Network.zone.name");
  c = parsed("vmNics.__systemTag__!?=a,b");
  EXPECT_EQ(c.path, (std::vector<std::string>{"vmNics", "__systemTag__"}));
  EXPECT_EQ(c.op, ConditionOp::kNotIn);
}

TEST(Condition, MalformedConditionsAreInvalidArguments) {
  for (const char* text : {"name", "=x", "!=x", "name =x", "name^x", "a..b=1", ".a=1", "a.=1",
                           "name!x", "name?x", "", "na-me=1"}) {
    auto c = parseCondition(text);
    ASSERT_FALSE(c.ok()) << text;
    EXPECT_EQ(c.error().code, ErrorCode::kInvalidArgument) << text;
    EXPECT_NE(c.error().message.find("'" + std::string(text) + "'"), std::string::npos)
        << c.error().message;
  }
  EXPECT_NE(parseCondition("name =x").error().message.find("spaces"), std::string::npos);
  // The value is everything after the operator, a leading space included.
  EXPECT_EQ(parsed("name= x").value, " x");
}

TEST(Condition, NegationPairs) {
  EXPECT_TRUE(isNegation(ConditionOp::kNe));
  EXPECT_TRUE(isNegation(ConditionOp::kNotIn));
  EXPECT_TRUE(isNegation(ConditionOp::kNotLike));
  EXPECT_FALSE(isNegation(ConditionOp::kLt));
  EXPECT_EQ(positiveOf(ConditionOp::kNotIn), ConditionOp::kIn);
  EXPECT_EQ(positiveOf(ConditionOp::kNotLike), ConditionOp::kLike);
  EXPECT_EQ(positiveOf(ConditionOp::kGe), ConditionOp::kGe);
}

TEST(QueryRequestParse, DefaultsWhenEmpty) {
  auto r = parseQueryRequest({});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->conditions.empty());
  EXPECT_EQ(r->limit, 1000);
  EXPECT_EQ(r->start, 0);
  EXPECT_FALSE(r->count);
  EXPECT_FALSE(r->replyWithCount);
  EXPECT_EQ(r->sort, "");
}

TEST(QueryRequestParse, EveryParameter) {
  auto r = parseQueryRequest(Params{{"q", "name=vm1"},
                                    {"condition", "state=Running"},
                                    {"q", ""},
                                    {"fields", "uuid,name"},
                                    {"fields", "state"},
                                    {"fields", ",cpuNum,"},
                                    {"sort", "-name"},
                                    {"limit", "20"},
                                    {"start", "40"},
                                    {"count", "false"},
                                    {"replyWithCount", "TRUE"},
                                    {"groupBy", "state"},
                                    {"systemTags", "x"},
                                    {"userTags", "y"},
                                    {"timeout", "5"}});
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(r->conditions, (std::vector<std::string>{"name=vm1", "state=Running"}));
  EXPECT_EQ(r->fields, (std::vector<std::string>{"uuid", "name", "state", "cpuNum"}));
  EXPECT_EQ(r->sort, "-name");
  EXPECT_EQ(r->limit, 20);
  EXPECT_EQ(r->start, 40);
  EXPECT_FALSE(r->count);
  EXPECT_TRUE(r->replyWithCount);
  EXPECT_EQ(r->groupBy, "state");
}

TEST(QueryRequestParse, SortForms) {
  EXPECT_EQ(parseQueryRequest(Params{{"sort", "+name"}})->sort, "+name");
  // An unencoded '+' arrives as a space after URL decoding.
  EXPECT_EQ(parseQueryRequest(Params{{"sort", " name"}})->sort, "+name");
  EXPECT_EQ(parseQueryRequest(Params{{"sortBy", "name"}})->sort, "+name");
  EXPECT_EQ(parseQueryRequest(Params{{"sortBy", "name"}, {"sortDirection", "desc"}})->sort,
            "-name");
  EXPECT_EQ(parseQueryRequest(Params{{"sortDirection", "asc"}, {"sortBy", "cpuNum"}})->sort,
            "+cpuNum");
  for (const Params& bad :
       {Params{{"sort", "name"}}, Params{{"sort", "+"}},
        Params{{"sortBy", "name"}, {"sortDirection", "up"}}, Params{{"sortDirection", "asc"}},
        Params{{"sort", "+a"}, {"sortBy", "b"}}}) {
    auto r = parseQueryRequest(bad);
    ASSERT_FALSE(r.ok()) << bad[0].first << "=" << bad[0].second;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  }
}

TEST(QueryRequestParse, BadValuesNameTheParameter) {
  const std::vector<std::pair<Params, std::string>> cases{
      {{{"limit", "ten"}}, "limit"},     {{{"limit", "-1"}}, "limit"},
      {{{"limit", "100001"}}, "limit"},  {{{"limit", "5x"}}, "limit"},
      {{{"start", "-1"}}, "start"},      {{{"start", ""}}, "start"},
      {{{"count", "yes"}}, "count"},     {{{"replyWithCount", "1"}}, "replyWithCount"},
      {{{"bogus", "1"}}, "bogus"},       {{{"limit", "1"}, {"limit", "2"}}, "limit"},
      {{{"q", "name = x"}}, "name = x"}, {{{"groupBy", ""}}, "groupBy"}};
  for (const auto& [params, name] : cases) {
    auto r = parseQueryRequest(params);
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(r.error().message.find("'" + name + "'"), std::string::npos) << r.error().message;
  }
  EXPECT_EQ(parseQueryRequest(Params{{"limit", "100000"}})->limit, 100000);
  EXPECT_EQ(parseQueryRequest(Params{{"limit", "0"}})->limit, 0);
}

class FieldCodec : public ::testing::Test {
 protected:
  // Dates are local time; pin the zone so the expectations are exact.
  void SetUp() override {
    if (const char* tz = std::getenv("TZ")) saved_ = tz;
    setenv("TZ", "UTC", 1);
    tzset();
  }
  void TearDown() override {
    if (saved_.empty()) {
      unsetenv("TZ");
    } else {
      setenv("TZ", saved_.c_str(), 1);
    }
    tzset();
  }
  std::string saved_;
};

TEST_F(FieldCodec, ConvertsValuesToTheFieldType) {
  InventoryField i{"n", FieldType::kInteger, ""};
  InventoryField f{"r", FieldType::kFloat, ""};
  InventoryField b{"b", FieldType::kBoolean, ""};
  InventoryField d{"createDate", FieldType::kDate, ""};
  EXPECT_EQ(std::get<std::int64_t>(*toBoundValue(i, "-42")), -42);
  EXPECT_DOUBLE_EQ(std::get<double>(*toBoundValue(f, "2.5")), 2.5);
  EXPECT_EQ(std::get<std::int64_t>(*toBoundValue(b, "True")), 1);
  EXPECT_EQ(std::get<std::int64_t>(*toBoundValue(b, "false")), 0);
  EXPECT_EQ(std::get<std::int64_t>(*toBoundValue(d, "1510698057000")), 1510698057000);
  EXPECT_EQ(std::get<std::int64_t>(*toBoundValue(d, "2017-11-14 22:20:57")), 1510698057000);
  EXPECT_EQ(std::get<std::int64_t>(*toBoundValue(d, "Nov 14, 2017 10:20:57 PM")), 1510698057000);
  EXPECT_EQ(std::get<std::int64_t>(*toBoundValue(d, "Nov 14, 2017 12:00:00 AM")), 1510617600000);
  for (auto [field, text] :
       std::vector<std::pair<InventoryField, const char*>>{{i, "1.5"},
                                                           {i, "x"},
                                                           {i, ""},
                                                           {i, " 1"},
                                                           {i, "99999999999999999999"},
                                                           {f, "nan"},
                                                           {f, "1e"},
                                                           {f, ""},
                                                           {b, "1"},
                                                           {b, "yes"},
                                                           {d, "2017-02-30 00:00:00"},
                                                           {d, "2017-11-14"},
                                                           {d, "Foo 14, 2017 10:20:57 PM"},
                                                           {d, "Nov 14, 2017 13:20:57 PM"},
                                                           {d, "2017-11-14 22:20:57x"}}) {
    auto v = toBoundValue(field, text);
    ASSERT_FALSE(v.ok()) << field.name << " " << text;
    EXPECT_EQ(v.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(v.error().message.find(field.name), std::string::npos);
    EXPECT_NE(v.error().message.find(std::string("'") + text + "'"), std::string::npos);
  }
}

TEST_F(FieldCodec, RendersByType) {
  EXPECT_EQ(renderValue(FieldType::kDate, DbValue(std::int64_t{1510698057000})),
            "Nov 14, 2017 10:20:57 PM");
  EXPECT_EQ(renderValue(FieldType::kBoolean, DbValue(std::int64_t{1})), Json(true));
  EXPECT_EQ(renderValue(FieldType::kBoolean, DbValue(std::int64_t{0})), Json(false));
  EXPECT_EQ(renderValue(FieldType::kInteger, DbValue(std::int64_t{7})), Json(7));
  EXPECT_EQ(renderValue(FieldType::kFloat, DbValue(std::int64_t{2})), Json(2.0));
  EXPECT_EQ(renderValue(FieldType::kJson, DbValue(std::string("{\"a\":[1]}"))),
            Json::parse("{\"a\":[1]}"));
  EXPECT_EQ(renderValue(FieldType::kJson, DbValue(std::string("not json"))), Json("not json"));
  EXPECT_EQ(renderValue(FieldType::kString, DbValue(std::int64_t{12})), Json("12"));
}

// The text a listing is written as parses to what renderValue renders, escapes as Json::dump.
TEST_F(FieldCodec, WritesValuesAsJsonText) {
  for (std::string text : {std::string(), std::string("plain"), std::string("q\"uote\\back"),
                           std::string("tab\tnl\ncr\rbs\bff\f"), std::string("\x01\x1f end"),
                           std::string("\xe4\xba\x91 cloud")}) {
    std::string out;
    appendJsonString(out, text);
    EXPECT_EQ(out, Json(text).dump());
  }
  for (auto [type, value] : std::vector<std::pair<FieldType, DbValue>>{
           {FieldType::kString, std::string("a\"b")},
           {FieldType::kString, std::int64_t{12}},
           {FieldType::kInteger, std::int64_t{-9007199254740993}},
           {FieldType::kInteger, std::string("42")},
           {FieldType::kFloat, 1.5},
           {FieldType::kBoolean, std::int64_t{0}},
           {FieldType::kBoolean, std::int64_t{3}},
           {FieldType::kDate, std::int64_t{1510698057000}},
           {FieldType::kJson, std::string("{\"a\":[1]}")}}) {
    std::string out;
    appendRenderedValue(out, type, value);
    EXPECT_EQ(Json::parse(out), renderValue(type, value)) << out;
  }
}

}  // namespace
}  // namespace strato::kernel
