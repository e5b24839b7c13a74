// The KVM hypervisor on the management node: ZStack's KVM host APIs, and the HypervisorDriver and
// VmDriver "KVM", which send every operation to the host's strato-agent (its kvm-agent plugin).
// Settings: kvm_settings.h.
#include <strato/host_events.h>
#include <strato/rendering.h>
#include <strato/sdk.h>

#include "kvm_apis.h"
#include "kvm_drivers.h"
#include "kvm_fencer.h"

namespace {

// When an L3 network's flat DHCP ends, the KVM hosts its L2 reaches drop the DHCP namespace;
// one that cannot be reached then keeps it, with whatever leases it had (not retried).
void followFlatDhcpRemovals(strato::Registrar& r, std::shared_ptr<strato::kvm::KvmAgents> agents) {
  auto& bus = r.bus();
  auto& db = r.database();
  auto& log = r.logger();
  r.subscribe(std::string(strato::kvm::kFlatDhcpRemovedEvent),
              [&bus, &db, &log, agents](const strato::Message& e) {
                bus.postBlocking([&db, &log, agents, l3 = e.body.value("l3NetworkUuid", ""),
                                  l2 = e.body.value("l2NetworkUuid", "")] {
                  auto hosts = db.query(
                      "SELECT h.uuid, h.managementIp FROM host h JOIN l2_network_cluster_ref r ON "
                      "r.clusterUuid = h.clusterUuid WHERE r.l2NetworkUuid = ? AND "
                      "h.hypervisorType = ? AND h.status = 'Connected'",
                      {l2, std::string(strato::kvm::kType)});
                  if (!hosts) return;
                  for (const auto& h : hosts->rows) {
                    auto gone = agents->call(strato::dbText(h[1]), strato::kvm::kRemoveDhcpNetwork,
                                             strato::Json{{"l3Uuid", l3}});
                    if (!gone) {
                      log.warn("kvm.dhcp.remove.failed l3=" + l3 + " host=" + strato::dbText(h[0]) +
                               " error=" + gone.error().describe());
                    }
                  }
                });
              });
}

strato::Status init(strato::Registrar& r) {
  auto settings = strato::kvm::loadSettings(r.config());
  if (!settings) return settings.error();
  r.addMigrations(strato::kvm::kvmHostMigrations());
  auto store = std::make_shared<strato::kvm::KvmHostStore>(r.database());
  auto tasks = std::make_shared<strato::agent::TaskCalls>(
      r.bus(), std::string(strato::kvm::kTaskDone), settings->taskPoll);
  r.handle(tasks->callbackType(), tasks->handler());
  auto agents =
      std::make_shared<strato::kvm::KvmAgents>(*settings, *store, r.database(), r.logger(), tasks);
  r.addExtension<strato::HypervisorDriver>(std::string(strato::kvm::kType),
                                           std::make_shared<strato::kvm::KvmHostDriver>(agents));
  r.addExtension<strato::HostFencer>(
      std::string(strato::kvm::kType),
      std::make_shared<strato::kvm::KvmFencer>(agents, r.database(), r.logger()));
  r.addExtension<strato::VmDriver>(std::string(strato::kvm::kType),
                                   std::make_shared<strato::kvm::KvmVmDriver>(agents, r.database(), r.bus()));
  strato::kvm::registerKvmApis(r, agents, store);
  strato::kvm::registerImageCache(r, agents);
  strato::kvm::registerHostCopy(r, agents);
  auto& bus = r.bus();
  // The agents' reports of their guests, for the vm plugin to check.
  r.handle(std::string(strato::kvm::kVmStatesReport), [&bus](strato::Message m,
                                                             strato::Replier reply) {
    auto shared = strato::share(std::move(reply));
    strato::Json body{{"hostUuid", m.body.value("hostUuid", "")},
                      {"states", m.body.value("vms", strato::Json::object())}};
    bus.request({std::string(strato::kVmStatesReportedMessage), "", body},
                [shared](strato::Reply r) { (*shared)(std::move(r)); });
  });
  followFlatDhcpRemovals(r, agents);
  r.subscribe(std::string(strato::kHostDeletedEvent), [&bus, store](const strato::Message& e) {
    if (e.body.value("hypervisorType", "") != strato::kvm::kType) return;
    bus.postBlocking([store, uuid = e.body.value("uuid", "")] { (void)store->remove(uuid); });
  });
  return {};
}

}  // namespace

STRATO_PLUGIN("kvm", "0.1.0", init)
