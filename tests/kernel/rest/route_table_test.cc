// RouteTable: the most specific template wins, APIs of one shape are candidates together whatever
// their variables are called, and a path served under another method is told apart from none.
#include "rest/route_table.h"

#include <gtest/gtest.h>

namespace strato::kernel {
namespace {

ApiDeclaration api(std::string name, HttpMethod method, std::string path, std::string key = {}) {
  ApiDeclaration a;
  a.name = std::move(name);
  a.method = method;
  a.path = std::move(path);
  a.actionKey = std::move(key);
  return a;
}

TEST(RouteTable, ApisOfOneShapeAreCandidatesTogetherWhateverTheirVariablesAreCalled) {
  RouteTable table({api("Reconnect", HttpMethod::kPut, "/ps/{uuid}/actions", "reconnect"),
                    api("Sync", HttpMethod::kPut, "/ps/{psUuid}/actions", "sync")},
                   {});
  auto match = table.match(HttpMethod::kPut, "/ps/abc/actions");
  ASSERT_EQ(match.kind, RouteMatch::Kind::kFound);
  ASSERT_EQ(match.candidates.size(), 2u);
  for (const Route* route : match.candidates) {
    auto vars = route->bind(match.segments);
    if (route->api->name == "Sync") {
      EXPECT_EQ(vars.at("psUuid"), "abc");
    } else {
      EXPECT_EQ(vars.at("uuid"), "abc");
    }
  }
}

TEST(RouteTable, LiteralSegmentsBeatVariables) {
  RouteTable table({api("Query", HttpMethod::kGet, "/nodes/{uuid}"),
                    api("Ready", HttpMethod::kGet, "/nodes/ready")},
                   {});
  auto ready = table.match(HttpMethod::kGet, "/nodes/ready");
  ASSERT_EQ(ready.candidates.size(), 1u);
  EXPECT_EQ(ready.candidates[0]->api->name, "Ready");
  auto other = table.match(HttpMethod::kGet, "//nodes//x1/");
  ASSERT_EQ(other.candidates.size(), 1u);
  EXPECT_EQ(other.candidates[0]->bind(other.segments).at("uuid"), "x1");
}

TEST(RouteTable, WrongMethodAndNoPathAreDifferentAnswers) {
  RouteTable table({api("Query", HttpMethod::kGet, "/zones")}, {});
  EXPECT_EQ(table.match(HttpMethod::kDelete, "/zones").kind, RouteMatch::Kind::kWrongMethod);
  EXPECT_EQ(table.match(HttpMethod::kGet, "/planets").kind, RouteMatch::Kind::kNoPath);
}

}  // namespace
}  // namespace strato::kernel
