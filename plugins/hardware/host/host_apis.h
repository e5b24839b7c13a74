// The host APIs of section 4.3 that need no driver, GetCpuMemoryCapacity (section 11.5.1) and
// the HostVO cascade node. Functions that take a Database block: run them on the blocking pool.
#pragma once

#include <string>
#include <vector>

#include <strato/sdk.h>

namespace strato::host {

Reply updateHost(Database& db, const Json& params);
Reply getHypervisorTypes(const ExtensionLookup& extensions);
Reply getHostAllocatorStrategies();
Reply getCpuMemoryCapacity(Database& db, const Json& params);

// The CascadeNode "HostVO" below "ClusterVO".
class HostCascade : public CascadeNode {
 public:
  HostCascade(Database& db, MessageBus& bus) : db_(db), bus_(bus) {}
  std::string resourceType() const override { return "HostVO"; }
  std::vector<std::string> parentTypes() const override { return {"ClusterVO"}; }
  Result<std::vector<std::string>> below(const std::string& parentType,
                                         const std::vector<std::string>& parentUuids) override;
  Status remove(const std::vector<std::string>& uuids, DeleteMode mode) override;

 private:
  Database& db_;
  MessageBus& bus_;
};

}  // namespace strato::host
