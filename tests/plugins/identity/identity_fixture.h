// The identity plugin as the node runs it: the real .so loaded by the kernel's PluginLoader,
// migrations applied, global configs loaded, start hooks run, APIs driven through the bus.
// The database is SQLite unless a subclass supplies another URL (MariaDB).
#pragma once

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <regex>
#include <thread>

#include "api/api_registry.h"
#include "bus/asio_bus.h"
#include "config/config_store.h"
#include "db/database_url.h"
#include "db/migrator.h"
#include "db/poco_database.h"
#include "extension/extension_registry.h"
#include "globalconfig/global_config_store.h"
#include "plugin/plugin_loader.h"
#include "query/inventory_catalog.h"
#include "schema/kernel_schema.h"
#include "strato/session.h"
#include "strato/time_format.h"
#include "strato/uuid.h"
#include "support/temp_dir.h"

namespace strato::kernel::identity_test {

using namespace std::chrono_literals;

inline constexpr const char* kAdminUuid = "36c27e8ff05c4780bf6d2fa65700f22e";
inline constexpr const char* kWrong = "wrong account name or password";

// Independent of the plugin's code, with the same library (OpenSSL).
inline std::string sha512Hex(const std::string& text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(text.data(), text.size(), digest, &size, EVP_sha512(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < size; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xf];
  }
  return out;
}

inline bool isGsonDate(const Json& value) {
  static const std::regex kGson(R"([A-Z][a-z]{2} \d{1,2}, \d{4} \d{1,2}:\d{2}:\d{2} (AM|PM))");
  return value.is_string() && std::regex_match(value.get<std::string>(), kGson);
}

class IdentityPluginTest : public ::testing::Test {
 protected:
  virtual DatabaseUrl databaseUrl() {
    DatabaseUrl url;
    url.sqlitePath = (dir_.path() / "identity.db").string();
    return url;
  }

  void SetUp() override {
    auto db = openDatabase({databaseUrl(), 4, 2000});
    ASSERT_TRUE(db.ok()) << db.error().describe();
    db_ = db.value();
    loader_ = std::make_unique<PluginLoader>(
        KernelServices{bus_, config_, *db_, extensions_, apis_, inventories_, globalConfigs_},
        contributions_);
    auto loaded = loader_->load(STRATO_IDENTITY_PLUGIN);
    auto* info = std::get_if<PluginInfo>(&loaded);
    ASSERT_NE(info, nullptr) << std::get<PluginLoadError>(loaded).reason;
    ASSERT_EQ(info->name, "identity");

    auto kernel = applyMigrations(*db_, "kernel", kernelMigrations());
    ASSERT_TRUE(kernel.ok()) << kernel.error().describe();
    for (const auto& schema : contributions_.schemas) {
      auto applied = applyMigrations(*db_, schema.component, schema.migrations);
      ASSERT_TRUE(applied.ok()) << applied.error().describe();
    }
    auto configs = globalConfigs_.load(*db_);
    ASSERT_TRUE(configs.ok()) << configs.error().describe();
    runStartHooks();
    resolver_ = extensions_.find<SessionResolver>("identity");
    ASSERT_NE(resolver_, nullptr);
  }

  void runStartHooks() {
    for (const auto& hook : contributions_.startHooks) {
      auto status = hook.run();
      ASSERT_TRUE(status.ok()) << status.error().describe();
    }
  }

  Reply api(const std::string& name, Json params, Json session = nullptr) {
    Json body{{"api", name},
              {"params", std::move(params)},
              {"session", std::move(session)},
              {"jobUuid", newUuid()}};
    return call(bus_, Message{"identity." + name, "", std::move(body)}, 10s);
  }

  Reply login(const std::string& name, const std::string& plainPassword) {
    return api("LogInByAccount", {{"accountName", name}, {"password", sha512Hex(plainPassword)}});
  }

  std::string adminSession() {
    Reply r = login("admin", "password");
    EXPECT_TRUE(r.ok()) << r.error().describe();
    return r.ok() ? r.value()["inventory"]["uuid"].get<std::string>() : std::string();
  }

  Json adminCaller(const std::string& session) {
    return SessionInfo{session, kAdminUuid, kAdminUuid, true}.toJson();
  }

  DbRows sql(const std::string& query, const std::vector<DbValue>& params = {}) {
    auto rows = db_->query(query, params);
    EXPECT_TRUE(rows.ok()) << rows.error().describe();
    return rows.ok() ? rows.value() : DbRows{};
  }

  std::int64_t expiredDateOf(const std::string& session) {
    auto rows = sql("SELECT expiredDate FROM session WHERE uuid = ?", {session});
    return rows.rows.empty() ? 0 : std::get<std::int64_t>(rows.rows[0][0]);
  }

  void setConfig(const std::string& name, const std::string& value) {
    auto updated = globalConfigs_.update(*db_, "identity", name, value);
    ASSERT_TRUE(updated.ok()) << updated.error().describe();
  }

  test::TempDir dir_{"identity-test"};
  ConfigStore config_ = ConfigStore::load({}).value();
  AsioBus bus_{{2, 2, 10000ms}};
  std::shared_ptr<Database> db_;
  ExtensionRegistry extensions_;
  ApiRegistry apis_;
  InventoryCatalog inventories_;
  GlobalConfigStore globalConfigs_;
  PluginContributions contributions_;
  std::unique_ptr<PluginLoader> loader_;
  std::shared_ptr<SessionResolver> resolver_;
};

}  // namespace strato::kernel::identity_test
