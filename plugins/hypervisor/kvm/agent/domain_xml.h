// libvirt domain XML for a guest, from the VmSpec the management node sent: CPU, memory, disks in
// device-id order, the ISO in a CD-ROM, NICs on bridges with their bandwidth, a serial console
// (logged to a file when a log directory is given), VNC and the guest agent channel.
#pragma once

#include <string>

#include <strato/vm.h>

namespace strato::kvm {

struct DomainOptions {
  std::string domainType = "kvm";  // "kvm", "qemu" (TCG) or "test" (libvirt's test driver)
  std::string consoleLogDir;       // the serial console goes to <dir>/<vm uuid>.log when set
};

std::string domainXml(const VmSpec& vm, const DomainOptions& options);
std::string diskXml(const VmVolumeSpec& volume);
std::string cdromXml(const VmSpec& vm);  // empty tray when vm.extra has no "iso"
// A NIC on `bridge`: vm.extra["nicBridges"][nic uuid], which the management node fills from the
// NIC's L2 network (kvm_protocol.h's l2Bridge).
std::string interfaceXml(const VmNicSpec& nic, const std::string& bridge);
std::string bridgeOf(const VmSpec& vm, const VmNicSpec& nic);
// "0f1e..." (32 hex) -> "0f1e2d3c-4b5a-..." as libvirt writes uuids.
std::string dashedUuid(const std::string& uuid);

}  // namespace strato::kvm
