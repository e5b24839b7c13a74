// The simulator hypervisor plugin: HypervisorDriver "Simulator" and ZStack's AddSimulatorHost
// API, which hands the host to the host plugin (kAddHostMessage) like AddKVMHost will.
#include <strato/host_events.h>
#include <strato/sdk.h>

#include "simulator_driver.h"
#include "simulator_vm_driver.h"

namespace {

using strato::Json;
using strato::Message;
using strato::Reply;

// AddSimulatorHost is not in the manual (ZStack keeps it for its own tests), so it is declared
// in full: ZStack's APIAddSimulatorHostMsg fields, at ZStack's path.
strato::ApiDeclaration addSimulatorHostApi() {
  using strato::ParamType;
  strato::ApiDeclaration decl;
  decl.name = "AddSimulatorHost";
  decl.method = strato::HttpMethod::kPost;
  decl.path = "/zstack/v1/hosts/simulators";
  decl.actionKey = "params";
  decl.params = {
      {"name", ParamType::kString, true},          {"description", ParamType::kString, false},
      {"managementIp", ParamType::kString, true},  {"clusterUuid", ParamType::kString, true},
      {"memoryCapacity", ParamType::kLong, false}, {"cpuCapacity", ParamType::kLong, false},
      {"resourceUuid", ParamType::kString, false}, {"systemTags", ParamType::kList, false},
      {"userTags", ParamType::kList, false}};
  decl.responseKind = "inventory";
  decl.messageType = "simulator.AddSimulatorHost";
  decl.inventory = "Host";
  decl.adminOnly = true;
  return decl;
}

void addSimulatorHost(strato::MessageBus& bus, const Message& m, strato::Replier reply) {
  const Json& p = m.body["params"];
  Json extra = Json::object();
  for (const char* key : {"cpuCapacity", "memoryCapacity"}) {
    if (p.contains(key)) extra[key] = p[key];
  }
  Json spec{{"name", p["name"]},
            {"managementIp", p["managementIp"]},
            {"clusterUuid", p["clusterUuid"]},
            {"hypervisorType", std::string(strato::simulator::kType)},
            {"extra", extra}};
  if (p.contains("description")) spec["description"] = p["description"];
  if (p.contains("resourceUuid")) spec["uuid"] = p["resourceUuid"];
  Json body{{"spec", spec}, {"session", m.body.value("session", Json())}};
  if (p.contains("systemTags")) body["systemTags"] = p["systemTags"];
  auto shared = std::make_shared<strato::Replier>(std::move(reply));
  bus.request({std::string(strato::kAddHostMessage), "", body},
              [shared](Reply added) { (*shared)(std::move(added)); });
}

strato::Status init(strato::Registrar& r) {
  auto connectLatency = r.config().getInt("plugin.simulator.connectLatencyMs", 0);
  if (!connectLatency) return connectLatency.error();
  auto pingLatency = r.config().getInt("plugin.simulator.pingLatencyMs", 0);
  if (!pingLatency) return pingLatency.error();
  auto vmLatency = r.config().getInt("plugin.simulator.vmLatencyMs", 0);
  if (!vmLatency) return vmLatency.error();
  auto guests = std::make_shared<strato::simulator::SimulatorVmDriver>(
      r.database(), std::chrono::milliseconds(*vmLatency));
  r.addExtension<strato::VmDriver>(std::string(strato::simulator::kType), guests);
  auto powerLost = [guests](const std::string& host) { guests->powerLost(host); };
  auto driver = std::make_shared<strato::simulator::SimulatorDriver>(
      r.database(), std::chrono::milliseconds(*connectLatency),
      std::chrono::milliseconds(*pingLatency), powerLost);
  r.addExtension<strato::HypervisorDriver>(std::string(strato::simulator::kType), driver);
  r.addExtension<strato::HostFencer>(
      std::string(strato::simulator::kType),
      std::make_shared<strato::simulator::SimulatorFencer>(r.database(), powerLost));

  auto& bus = r.bus();
  auto decl = addSimulatorHostApi();
  r.addApi(decl);
  r.handle(decl.messageType, [&bus](Message m, strato::Replier reply) {
    addSimulatorHost(bus, m, std::move(reply));
  });
  // Drop the simulated host with its row.
  r.subscribe(std::string(strato::kHostDeletedEvent), [driver, guests](const Message& e) {
    if (e.body.value("hypervisorType", "") != strato::simulator::kType) return;
    driver->forget(e.body.value("uuid", ""));
    guests->forgetHost(e.body.value("uuid", ""));
  });
  return {};
}

}  // namespace

STRATO_PLUGIN("simulator", "0.1.0", init)
