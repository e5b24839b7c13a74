// The agent's guest commands (kvm_protocol.h), on the host's libvirt.
#pragma once

#include <memory>

#include <strato/sdk.h>

#include "dhcp_servers.h"
#include "libvirt_host.h"

namespace strato::kvm {

struct GuestSettings {
  std::chrono::seconds stopGrace{60};  // a graceful stop powers off after this long
  std::string advertisedIp;            // the host address consoles are reached at
};

// Registers every guest command's handler; each runs on the blocking pool. `settled` hears of
// each guest a manager's command (one with a taskUuid) ran on, once it has. A guest's NICs on
// networks with flat DHCP (the spec's extra.dhcp) are served by `dhcp` while it runs here.
void registerGuestCommands(Registrar& r, std::shared_ptr<LibvirtHost> host,
                           std::shared_ptr<DhcpServers> dhcp,
                           GuestSettings settings,
                           std::function<RequestHandler(std::function<Reply(const Message&)>)>
                               asTask,
                           std::function<void(const std::string& vmUuid)> settled);

}  // namespace strato::kvm
