// The host's libvirt, as the agent uses it: one connection (libvirt connections are thread-safe),
// reopened when it dies, and the guest operations the management node asks for. Every call blocks
// and is idempotent. Guests are transient domains named by VM uuid: the management node holds
// their definition and sends it whole at every start, so a host keeps nothing that can go stale.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include <strato/vm.h>

#include "domain_xml.h"

namespace strato::kvm {

class LibvirtHost {
 public:
  // Opens `uri` ("qemu:///system", "test:///default"). `domainType` "auto" follows from the uri
  // and /dev/kvm; "qemu" forces TCG where /dev/kvm exists but cannot run guests.
  static Result<std::unique_ptr<LibvirtHost>> open(const std::string& uri,
                                                   const std::string& domainType,
                                                   std::string consoleLogDir);
  ~LibvirtHost();

  const std::string& uri() const { return uri_; }
  // Native live migration needs a real hypervisor; the test driver has none.
  bool isTestDriver() const { return options_.domainType == "test"; }

  Result<Json> facts();
  Status ping();

  Status start(const VmSpec& vm, bool paused = false);
  Status stop(const VmSpec& vm, bool graceful, std::chrono::seconds gracePeriod);
  Status reboot(const VmSpec& vm);
  Status pause(const VmSpec& vm);
  Status resume(const VmSpec& vm);
  Status destroy(const VmSpec& vm);
  // "Running", "Paused", "Stopped" (also for a guest libvirt does not know), "Crashed".
  Result<std::string> state(const std::string& vmUuid);
  Result<Json> states();
  // Native live migration to the libvirt at `destinationUri`.
  Status migrate(const VmSpec& vm, const std::string& destinationUri);

  // Hot-plug into a running or paused guest.
  Status attachDevice(const VmSpec& vm, const std::string& xml, bool attach);
  Status updateDevice(const VmSpec& vm, const std::string& xml);
  Status setBandwidth(const VmSpec& vm, const VmNicSpec& nic);
  Status setUserPassword(const VmSpec& vm, const std::string& user, const std::string& password);
  Result<ConsoleAddress> console(const VmSpec& vm, const std::string& hostIp);

 private:
  struct Conn;
  LibvirtHost(std::string uri, DomainOptions options);
  // The live connection, reopened if it died.
  Result<std::shared_ptr<Conn>> connection();
  // Runs `op` on the guest, which must exist; `what` names the operation in errors.
  template <class Op>
  Status onGuest(const VmSpec& vm, const std::string& what, Op op);

  std::string uri_;
  DomainOptions options_;
  std::mutex mutex_;
  std::shared_ptr<Conn> conn_;
};

}  // namespace strato::kvm
