// Global configs, management nodes, version and clock.
#include "bus/asio_bus.h"
#include "globalconfig/global_config_store.h"
#include "strato/global_config.h"
#include "strato/node.h"
#include "strato/time_format.h"
#include "strato/version.h"
#include "system/system_apis.h"

namespace strato::kernel {

Status addConfigAndNodeApis(SystemApiServices& s, const HandlerAdder& add) {
  auto address = s.bus.registerHandler(std::string(kNodeAddressMessage), [&s](Message,
                                                                              Replier reply) {
    auto [host, port] = s.listening.get();
    if (port == 0)
      return reply(makeError(ErrorCode::kUnavailable, "this management node does not listen yet"));
    reply(Json{{"uuid", s.nodeUuid}, {"host", host}, {"port", port}});
  });
  if (!address) return address;
  if (auto r = add(catalogApi("QueryGlobalConfig", "GlobalConfig"), nullptr); !r) return r;
  if (auto r = add(catalogApi("QueryManagementNode", "ManagementNode"), nullptr); !r) return r;

  auto update = catalogApi("UpdateGlobalConfig");
  update.params = {{"category", ParamType::kString, true, {}},
                   {"name", ParamType::kString, true, {}},
                   {"value", ParamType::kString, true, {}}};
  update.adminOnly = true;
  if (auto r = add(update,
                   [&s](const Json& body) -> Reply {
                     const Json& p = body["params"];
                     auto updated =
                         s.globalConfigs.update(s.database, p["category"], p["name"], p["value"]);
                     if (!updated) return updated.error();
                     s.bus.publish({std::string(kGlobalConfigUpdatedEvent),
                                    "",
                                    {{"category", p["category"]},
                                     {"name", p["name"]},
                                     {"oldValue", updated->second},
                                     {"newValue", p["value"]}}});
                     return Json{{"inventory", updated->first}};
                   });
      !r) {
    return r;
  }

  if (auto r = add(catalogApi("GetVersion"),
                   [](const Json&) -> Reply {
                     return Json{{"version", kSdkVersion}};
                   });
      !r) {
    return r;
  }
  if (auto r = add(catalogApi("GetCurrentTime"),
                   [](const Json&) -> Reply {
                     auto ms = nowMillis();
                     return Json{{"currentTime", {{"MillionSeconds", ms}, {"Seconds", ms / 1000}}}};
                   });
      !r) {
    return r;
  }
  // Ready means: this node answers, or the named node is registered and heartbeating.
  return add(catalogApi("IsReadyToGo"), [&s](const Json& body) -> Reply {
    std::string id = body["params"].value("managementNodeId", s.nodeUuid);
    if (id == s.nodeUuid) return Json{{"managementNodeId", id}};
    auto rows = s.database.query("SELECT state FROM management_node WHERE uuid = ?", {id});
    if (!rows) return rows.error();
    if (rows->rows.empty()) return makeError(ErrorCode::kNotFound, "no management node " + id);
    if (std::get<std::string>(rows->rows[0][0]) != "Running") {
      return makeError(ErrorCode::kUnavailable, "management node " + id + " is not ready");
    }
    return Json{{"managementNodeId", id}};
  });
}

}  // namespace strato::kernel
