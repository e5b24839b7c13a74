// The KVM hypervisor on the management node: ZStack's KVM host APIs, and the HypervisorDriver and
// VmDriver "KVM", which send every operation to the host's strato-agent (its kvm-agent plugin).
// Settings: kvm_settings.h.
#include <strato/host_events.h>
#include <strato/rendering.h>
#include <strato/sdk.h>

#include "kvm_apis.h"
#include "kvm_drivers.h"

namespace {

strato::Status init(strato::Registrar& r) {
  auto settings = strato::kvm::loadSettings(r.config());
  if (!settings) return settings.error();
  r.addMigrations(strato::kvm::kvmHostMigrations());
  auto store = std::make_shared<strato::kvm::KvmHostStore>(r.database());
  auto agents = std::make_shared<strato::kvm::KvmAgents>(*settings, *store, r.database(),
                                                        r.logger());
  r.addExtension<strato::HypervisorDriver>(std::string(strato::kvm::kType),
                                           std::make_shared<strato::kvm::KvmHostDriver>(agents));
  r.addExtension<strato::VmDriver>(std::string(strato::kvm::kType),
                                   std::make_shared<strato::kvm::KvmVmDriver>(agents, r.database(), r.bus()));
  strato::kvm::registerKvmApis(r, agents, store);
  strato::kvm::registerImageCache(r, agents);
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
  r.subscribe(std::string(strato::kHostDeletedEvent), [&bus, store](const strato::Message& e) {
    if (e.body.value("hypervisorType", "") != strato::kvm::kType) return;
    bus.postBlocking([store, uuid = e.body.value("uuid", "")] { (void)store->remove(uuid); });
  });
  return {};
}

}  // namespace

STRATO_PLUGIN("kvm", "0.1.0", init)
