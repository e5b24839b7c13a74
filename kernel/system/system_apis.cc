#include "system/system_apis.h"

#include "bus/asio_bus.h"
#include "globalconfig/global_config_store.h"
#include "query/inventory_catalog.h"
#include "rest/zstack_catalog.h"

namespace strato::kernel {
namespace {

InventoryField field(std::string name, FieldType type = FieldType::kString) {
  return {std::move(name), type, {}};
}

}  // namespace

Status declareKernelSchema(InventoryCatalog& inventories, GlobalConfigStore& globalConfigs) {
  std::vector<InventorySchema> schemas{
      {"GlobalConfig",
       "global_config",
       "org.zstack.core.config.GlobalConfigInventory",
       {field("category"), field("name"), field("value"), field("defaultValue"),
        field("description")},
       {}},
      {"ManagementNode",
       "management_node",
       "org.zstack.header.managementnode.ManagementNodeInventory",
       {field("uuid"), field("hostName"), field("port", FieldType::kInteger), field("state"),
        field("version"), field("joinDate", FieldType::kDate),
        field("heartBeat", FieldType::kDate)},
       {}},
      {"SystemTag",
       "system_tag",
       "org.zstack.header.tag.SystemTagInventory",
       {field("uuid"), field("resourceUuid"), field("resourceType"), field("tag"),
        field("inherent", FieldType::kBoolean), field("type"),
        field("createDate", FieldType::kDate), field("lastOpDate", FieldType::kDate)},
       {}},
      {"UserTag",
       "user_tag",
       "org.zstack.header.tag.UserTagInventory",
       {field("uuid"), field("resourceUuid"), field("resourceType"), field("tag"), field("type"),
        field("createDate", FieldType::kDate), field("lastOpDate", FieldType::kDate)},
       {}},
      {"LongJob",
       "long_job",
       "org.zstack.header.longjob.LongJobInventory",
       {field("uuid"), field("name"), field("description"), field("apiId"), field("jobName"),
        field("jobData"), field("jobResult"), field("state"), field("targetResourceUuid"),
        field("managementNodeUuid"), field("createDate", FieldType::kDate),
        field("lastOpDate", FieldType::kDate)},
       {},
       true},
      {"GCJob",
       "gc_job",
       "org.zstack.core.gc.GarbageCollectorInventory",
       {field("uuid"), field("name"), field("runnerClass"), field("context"), field("status"),
        field("managementNodeUuid"), field("createDate", FieldType::kDate),
        field("lastOpDate", FieldType::kDate)},
       {}},
      {"AccountResourceRef",
       "account_resource_ref",
       "org.zstack.header.identity.AccountResourceRefInventory",
       {field("resourceUuid"), field("resourceType"), field("accountUuid"),
        field("ownerAccountUuid"), field("permission", FieldType::kInteger),
        field("isShared", FieldType::kBoolean), field("createDate", FieldType::kDate),
        field("lastOpDate", FieldType::kDate)},
       {},
       false,
       "accountUuid"},
      {"SharedResource",
       "shared_resource",
       "org.zstack.header.identity.SharedResourceInventory",
       {field("ownerAccountUuid"), field("receiverAccountUuid"),
        field("toPublic", FieldType::kBoolean), field("resourceType"), field("resourceUuid"),
        field("createDate", FieldType::kDate), field("lastOpDate", FieldType::kDate)},
       {},
       false,
       "ownerAccountUuid"},
  };
  if (auto s = inventories.addAll(schemas, "kernel"); !s) return s;
  GlobalConfigDeclaration timeout{
      "api", "timeout", "1800000",
      "milliseconds an async API may run before it fails with a timeout",
      GlobalConfigType::kInteger};
  timeout.min = 1000;
  GlobalConfigDeclaration retention{
      "api", "job.retention", "172800",
      "seconds a finished API job's result stays available for polling",
      GlobalConfigType::kInteger};
  retention.min = 60;
  return globalConfigs.addAll({timeout, retention}, "kernel");
}

Result<std::vector<ApiDeclaration>> registerSystemApis(SystemApiServices& services) {
  std::vector<ApiDeclaration> apis;
  // Handlers run on the blocking pool: every one of them touches the database.
  HandlerAdder add = [&](ApiDeclaration api, std::function<Reply(const Json& body)> run) -> Status {
    if (auto s = completeFromCatalog(api); !s) return s;
    if (run) {
      api.messageType = "kernel." + api.name;
      auto status = services.bus.registerHandler(
          api.messageType,
          blockingHandler(services.bus, [run](const Message& m) { return run(m.body); }));
      if (!status) return status;
    }
    apis.push_back(std::move(api));
    return {};
  };
  for (auto area : {addConfigAndNodeApis, addTagApis, addJobApis}) {
    if (auto s = area(services, add); !s) return s.error();
  }
  if (auto s = addCascade(services); !s) return s.error();
  return apis;
}

}  // namespace strato::kernel
