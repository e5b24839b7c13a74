#include "plugin/plugin_loader.h"

#include <gtest/gtest.h>

#include <fstream>

#include "api/api_registry.h"
#include "bus/asio_bus.h"
#include "config/config_store.h"
#include "db/poco_database.h"
#include "extension/extension_registry.h"
#include "globalconfig/global_config_store.h"
#include "query/inventory_catalog.h"
#include "fixtures/greeter.h"
#include "strato/version.h"
#include "support/temp_dir.h"

namespace strato::kernel {
namespace {

using namespace std::chrono_literals;

std::filesystem::path fixture(const std::string& name) {
  return std::filesystem::path(STRATO_TEST_PLUGIN_DIR) / ("libstrato_test_" + name + ".so");
}

class PluginLoaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DatabaseUrl url;
    url.sqlitePath = (dir_.path() / "test.db").string();
    auto db = openDatabase({url, 2, 1000});
    ASSERT_TRUE(db.ok()) << db.error().describe();
    db_ = db.value();
    loader_ = std::make_unique<PluginLoader>(
        KernelServices{bus_, config_, *db_, extensions_, apis_, inventories_, globalConfigs_}, contributions_);
  }

  PluginLoadError expectRefused(const std::filesystem::path& file, PluginFailure kind) {
    auto result = loader_->load(file);
    auto* error = std::get_if<PluginLoadError>(&result);
    EXPECT_NE(error, nullptr) << file << " was loaded";
    if (!error) return {};
    EXPECT_EQ(error->kind, kind) << toString(error->kind) << ": " << error->reason;
    EXPECT_EQ(error->path, file);
    EXPECT_FALSE(error->reason.empty());
    return *error;
  }

  test::TempDir dir_{"loader-test"};
  ConfigStore config_ = ConfigStore::load({}).value();
  AsioBus bus_{{2, 2, 2000ms}};
  std::shared_ptr<Database> db_;
  ExtensionRegistry extensions_;
  ApiRegistry apis_;
  InventoryCatalog inventories_;
  GlobalConfigStore globalConfigs_;
  PluginContributions contributions_;
  std::unique_ptr<PluginLoader> loader_;
};

TEST_F(PluginLoaderTest, GoodPluginContributesEverythingItRegistered) {
  auto result = loader_->load(fixture("good"));
  auto* info = std::get_if<PluginInfo>(&result);
  ASSERT_NE(info, nullptr) << std::get<PluginLoadError>(result).reason;
  EXPECT_EQ(info->name, "test-good");
  EXPECT_EQ(info->version, "1.0.0");
  EXPECT_EQ(info->abiMajor, kSdkAbiMajor);

  auto greeter = extensions_.find<test::Greeter>("polite");
  ASSERT_NE(greeter, nullptr);
  EXPECT_EQ(greeter->greet("zone"), "hello, zone");

  Reply echo = call(bus_, Message{"test.Echo", "", Json{{"a", 1}}}, 2s);
  ASSERT_TRUE(echo.ok()) << echo.error().describe();
  EXPECT_EQ(echo.value()["a"], 1);

  ASSERT_TRUE(apis_.find("TestEcho").has_value());
  EXPECT_EQ(apis_.find("TestEcho")->messageType, "test.Echo");
  ASSERT_EQ(contributions_.schemas.size(), 1u);
  EXPECT_EQ(contributions_.schemas[0].component, "test-good");
  EXPECT_EQ(contributions_.schemas[0].migrations.size(), 2u);
  EXPECT_EQ(contributions_.startHooks.size(), 1u);
  EXPECT_EQ(loader_->loaded().size(), 1u);
}

TEST_F(PluginLoaderTest, MissingFileIsNotFound) {
  expectRefused(dir_.path() / "libnothing.so", PluginFailure::kNotFound);
}

TEST_F(PluginLoaderTest, GarbageFileIsNotLoadable) {
  auto garbage = dir_.path() / "libgarbage.so";
  std::ofstream(garbage) << "this is not an ELF file\n";
  expectRefused(garbage, PluginFailure::kNotLoadable);
}

TEST_F(PluginLoaderTest, UnresolvedSymbolIsNotLoadable) {
  auto e = expectRefused(fixture("unresolved_symbol"), PluginFailure::kNotLoadable);
  EXPECT_NE(e.reason.find("strato_test_symbol_that_does_not_exist"), std::string::npos) << e.reason;
}

TEST_F(PluginLoaderTest, LibraryWithoutEntryPointIsRefused) {
  auto e = expectRefused(fixture("no_entry"), PluginFailure::kNoEntryPoint);
  EXPECT_NE(e.reason.find("strato_plugin_entry"), std::string::npos);
}

TEST_F(PluginLoaderTest, OtherMajorAbiIsRefused) {
  auto e = expectRefused(fixture("abi_major"), PluginFailure::kAbiMismatch);
  EXPECT_NE(e.reason.find(std::to_string(kSdkAbiMajor + 1) + ".0"), std::string::npos) << e.reason;
  EXPECT_FALSE(bus_.hasHandler("test.Abi"));
}

TEST_F(PluginLoaderTest, NewerMinorAbiIsRefused) {
  expectRefused(fixture("abi_minor"), PluginFailure::kAbiMismatch);
  EXPECT_FALSE(bus_.hasHandler("test.Abi"));
}

TEST_F(PluginLoaderTest, FailingInitIsRefusedAndItsRegistrationsDropped) {
  auto e = expectRefused(fixture("init_fails"), PluginFailure::kInitFailed);
  EXPECT_EQ(e.plugin, "test-init-fails");
  EXPECT_NE(e.reason.find("backing service is down"), std::string::npos);
  EXPECT_FALSE(bus_.hasHandler("test.NeverCommitted"));
}

TEST_F(PluginLoaderTest, ThrowingInitIsCaughtAtThePluginEdge) {
  auto e = expectRefused(fixture("init_throws"), PluginFailure::kInitFailed);
  EXPECT_NE(e.reason.find("boom in init"), std::string::npos) << e.reason;
}

TEST_F(PluginLoaderTest, PluginThatRegistersNothingIsRefused) {
  expectRefused(fixture("registers_nothing"), PluginFailure::kRegisteredNothing);
}

TEST_F(PluginLoaderTest, DuplicateExtensionRefusesTheWholePlugin) {
  ASSERT_TRUE(std::holds_alternative<PluginInfo>(loader_->load(fixture("good"))));
  auto e = expectRefused(fixture("shadowing"), PluginFailure::kConflict);
  EXPECT_NE(e.reason.find("polite"), std::string::npos) << e.reason;
  EXPECT_FALSE(bus_.hasHandler("test.ShadowingOnly"));
  EXPECT_EQ(extensions_.find<test::Greeter>("polite")->greet("x"), "hello, x");
}

TEST_F(PluginLoaderTest, SamePluginTwiceIsAConflict) {
  ASSERT_TRUE(std::holds_alternative<PluginInfo>(loader_->load(fixture("good"))));
  auto copy = dir_.path() / "libcopy.so";
  std::filesystem::copy_file(fixture("good"), copy);
  auto e = expectRefused(copy, PluginFailure::kConflict);
  EXPECT_NE(e.reason.find("already loaded"), std::string::npos);
}

TEST_F(PluginLoaderTest, DirectoryLoadKeepsGoodPluginsAndReportsEveryBrokenOne) {
  auto report = loader_->loadAll({STRATO_TEST_PLUGIN_DIR, (dir_.path() / "missing").string()},
                                 {(dir_.path() / "libabsent.so").string()});
  ASSERT_EQ(report.loaded.size(), 1u);
  EXPECT_EQ(report.loaded[0].name, "test-good");
  // abi_major, abi_minor, shadowing, init_fails, init_throws, no_entry, registers_nothing,
  // unresolved_symbol, plus the missing directory and the absent file.
  EXPECT_EQ(report.failed.size(), 10u);
  std::map<PluginFailure, int> kinds;
  for (const auto& f : report.failed) ++kinds[f.kind];
  EXPECT_EQ(kinds[PluginFailure::kAbiMismatch], 2);
  EXPECT_EQ(kinds[PluginFailure::kInitFailed], 2);
  EXPECT_EQ(kinds[PluginFailure::kConflict], 1);
  EXPECT_EQ(kinds[PluginFailure::kNoEntryPoint], 1);
  EXPECT_EQ(kinds[PluginFailure::kRegisteredNothing], 1);
  EXPECT_EQ(kinds[PluginFailure::kNotLoadable], 1);
  EXPECT_EQ(kinds[PluginFailure::kNotFound], 2);
}

}  // namespace
}  // namespace strato::kernel
