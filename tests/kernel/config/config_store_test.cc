#include "config/config_store.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "config/config_keys.h"
#include "support/temp_dir.h"

namespace strato::kernel {
namespace {

class ConfigStoreTest : public ::testing::Test {
 protected:
  std::filesystem::path write(const std::string& name, const std::string& text) {
    auto path = dir_.path() / name;
    std::ofstream(path) << text;
    return path;
  }
  void TearDown() override { unsetenv("STRATO_HTTP_PORT"); }
  test::TempDir dir_{"config-test"};
};

TEST_F(ConfigStoreTest, DefaultsApplyWithoutFiles) {
  auto c = ConfigStore::load({});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->str("http.port"), "8080");
  EXPECT_EQ(c->str("database.url"), "sqlite:var/strato.db");
}

TEST_F(ConfigStoreTest, FileEnvironmentAndSetOverrideInThatOrder) {
  auto file = write("a.conf", "# comment\n\nhttp.port = 9000\nhttp.threads=3\nlog.level = debug\n");
  setenv("STRATO_HTTP_PORT", "9001", 1);
  auto c = ConfigStore::load({{}, {file}, {"log.level=warn"}, true, {}});
  ASSERT_TRUE(c.ok()) << c.error().describe();
  EXPECT_EQ(c->str("http.port"), "9001");
  EXPECT_EQ(c->integer("http.threads"), 3);
  EXPECT_EQ(c->str("log.level"), "warn");
}

TEST_F(ConfigStoreTest, LaterFilesOverrideEarlierOnes) {
  auto a = write("a.conf", "http.port = 1000\n");
  auto b = write("b.conf", "http.port = 2000\n");
  auto c = ConfigStore::load({{}, {a, b}, {}, false, {}});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->integer("http.port"), 2000);
}

TEST_F(ConfigStoreTest, RoleDefaultsSitBetweenBuiltInsAndFiles) {
  auto c = ConfigStore::load({{"http.port=7070"}, {}, {}, false, {}});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->integer("http.port"), 7070);
}

TEST_F(ConfigStoreTest, UnknownKeyIsAnErrorNamingFileAndLine) {
  auto file = write("typo.conf", "http.port = 1\nhttp.prot = 2\n");
  auto c = ConfigStore::load({{}, {file}, {}, false, {}});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("typo.conf:2"), std::string::npos) << c.error().message;
  EXPECT_NE(c.error().message.find("http.prot"), std::string::npos);
}

TEST_F(ConfigStoreTest, LineWithoutEqualsIsAnError) {
  auto file = write("bad.conf", "http.port 8080\n");
  auto c = ConfigStore::load({{}, {file}, {}, false, {}});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("bad.conf:1"), std::string::npos);
}

TEST_F(ConfigStoreTest, BadValuesAreRefused) {
  for (const char* bad : {"http.port=70000", "http.port=abc", "http.threads=0",
                          "log.level=loud", "bus.workerThreads=-1", "=x", "novalue"}) {
    auto c = ConfigStore::load({{}, {}, {bad}, false, {}});
    EXPECT_FALSE(c.ok()) << bad;
  }
}

TEST_F(ConfigStoreTest, BadEnvironmentValueIsRefused) {
  setenv("STRATO_HTTP_PORT", "eighty", 1);
  auto c = ConfigStore::load({});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("STRATO_HTTP_PORT"), std::string::npos);
}

TEST_F(ConfigStoreTest, MissingFileIsAnError) {
  auto c = ConfigStore::load({{}, {dir_.path() / "nope.conf"}, {}, false, {}});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("nope.conf"), std::string::npos);
}

TEST_F(ConfigStoreTest, PluginKeysAreFreeFormAndReadThroughTheSdkHelpers) {
  auto c = ConfigStore::load({{}, {}, {"plugin.kvm.retries=3", "plugin.kvm.verbose=yes",
                                       "plugin.kvm.hosts=a, b,,c"}, false, {}});
  ASSERT_TRUE(c.ok()) << c.error().describe();
  const Config& sdk = *c;
  EXPECT_EQ(sdk.getInt("plugin.kvm.retries", 0).value(), 3);
  EXPECT_EQ(sdk.getInt("plugin.kvm.missing", 7).value(), 7);
  EXPECT_TRUE(sdk.getBool("plugin.kvm.verbose", false).value());
  EXPECT_EQ(sdk.getList("plugin.kvm.hosts"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_FALSE(sdk.getInt("plugin.kvm.verbose", 0).ok());
  EXPECT_FALSE(sdk.getBool("plugin.kvm.retries", false).ok());
  EXPECT_FALSE(ConfigStore::load({{}, {}, {"plugin.kvm=1"}, false, {}}).ok());
}

TEST_F(ConfigStoreTest, ExeDirIsSubstituted) {
  auto c = ConfigStore::load({{}, {}, {}, false, "/opt/strato/bin"});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->str("plugins.dirs"), "/opt/strato/bin/../lib/strato/plugins");
}

TEST(ConfigKeys, EnvironmentNames) {
  EXPECT_EQ(envNameFor("http.port"), "STRATO_HTTP_PORT");
  EXPECT_EQ(envNameFor("bus.defaultTimeoutMs"), "STRATO_BUS_DEFAULTTIMEOUTMS");
}

}  // namespace
}  // namespace strato::kernel
