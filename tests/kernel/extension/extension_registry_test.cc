#include "extension/extension_registry.h"

#include <gtest/gtest.h>

namespace strato::kernel {
namespace {

class Filter {
 public:
  static constexpr std::string_view kExtensionPoint = "test.Filter";
  explicit Filter(std::string id) : id(std::move(id)) {}
  std::string id;
};

ExtensionRegistry::Entry entry(const std::string& name, int order, const std::string& owner = "t") {
  return {name, order, std::make_shared<Filter>(name), owner};
}

TEST(ExtensionRegistry, FindsByPointAndName) {
  ExtensionRegistry r;
  ASSERT_TRUE(r.add(Filter::kExtensionPoint, entry("state", 0)).ok());
  auto found = r.find<Filter>("state");
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->id, "state");
  EXPECT_EQ(r.find<Filter>("missing"), nullptr);
  EXPECT_EQ(r.findRaw("other.Point", "state"), nullptr);
}

TEST(ExtensionRegistry, AllIsOrderedByOrderThenName) {
  ExtensionRegistry r;
  ASSERT_TRUE(r.add(Filter::kExtensionPoint, entry("capacity", 20)).ok());
  ASSERT_TRUE(r.add(Filter::kExtensionPoint, entry("zone", 10)).ok());
  ASSERT_TRUE(r.add(Filter::kExtensionPoint, entry("affinity", 20)).ok());
  ASSERT_TRUE(r.add(Filter::kExtensionPoint, entry("state", 0)).ok());
  std::vector<std::string> ids;
  for (const auto& f : r.all<Filter>()) ids.push_back(f->id);
  EXPECT_EQ(ids, (std::vector<std::string>{"state", "zone", "affinity", "capacity"}));
}

TEST(ExtensionRegistry, DuplicateNameIsRefusedNamingBothOwners) {
  ExtensionRegistry r;
  ASSERT_TRUE(r.add(Filter::kExtensionPoint, entry("state", 0, "plugin-a")).ok());
  Status again = r.add(Filter::kExtensionPoint, entry("state", 5, "plugin-b"));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
  EXPECT_NE(again.error().details.find("plugin-a"), std::string::npos);
  EXPECT_NE(again.error().details.find("plugin-b"), std::string::npos);
  EXPECT_EQ(r.find<Filter>("state")->id, "state");
  EXPECT_EQ(r.size(), 1u);
  // The same name under another point is a different extension.
  EXPECT_TRUE(r.add("test.Other", entry("state", 0)).ok());
}

TEST(ExtensionRegistry, BatchIsAllOrNothing) {
  ExtensionRegistry r;
  ASSERT_TRUE(r.add(Filter::kExtensionPoint, entry("taken", 0)).ok());
  std::vector<std::pair<std::string, ExtensionRegistry::Entry>> batch{
      {"test.Filter", entry("fresh", 0)}, {"test.Filter", entry("taken", 0)}};
  EXPECT_FALSE(r.addAll(batch).ok());
  EXPECT_EQ(r.find<Filter>("fresh"), nullptr);
  std::vector<std::pair<std::string, ExtensionRegistry::Entry>> twice{
      {"test.Filter", entry("x", 0)}, {"test.Filter", entry("x", 1)}};
  EXPECT_FALSE(r.addAll(twice).ok());
  EXPECT_EQ(r.size(), 1u);
}

TEST(ExtensionRegistry, RefusesEmptyNameOrObject) {
  ExtensionRegistry r;
  EXPECT_FALSE(r.add(Filter::kExtensionPoint, entry("", 0)).ok());
  EXPECT_FALSE(r.add(Filter::kExtensionPoint, {"n", 0, nullptr, "t"}).ok());
}

TEST(ExtensionRegistry, InjectionShadowsAndRestores) {
  ExtensionRegistry r;
  ASSERT_TRUE(r.add(Filter::kExtensionPoint, entry("state", 0)).ok());
  {
    auto guard = r.inject<Filter>("state", std::make_shared<Filter>("fake state"));
    auto added = r.inject<Filter>("extra", std::make_shared<Filter>("fake extra"), 99);
    EXPECT_EQ(r.find<Filter>("state")->id, "fake state");
    EXPECT_EQ(r.find<Filter>("extra")->id, "fake extra");
    EXPECT_EQ(r.all<Filter>().size(), 2u);
  }
  EXPECT_EQ(r.find<Filter>("state")->id, "state");
  EXPECT_EQ(r.find<Filter>("extra"), nullptr);
}

}  // namespace
}  // namespace strato::kernel
