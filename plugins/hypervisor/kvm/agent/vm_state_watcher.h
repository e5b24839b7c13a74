// Tells the management node what the host's guests are whenever that differs from what it knows:
// a guest that shut itself down, crashed, or was started outside Strato. What the manager knows is
// the last picture it took, updated by every guest command it sent (settle()), so a guest that
// started and died between two looks is still reported. libvirt is asked every `interval` (events
// would need libvirt's event loop, which the test driver barely has). The whole picture goes each
// time, to the management nodes the last ping named, and again until one of them took it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <strato/sdk.h>

#include "agent_client/agent_client.h"
#include "libvirt_host.h"

namespace strato::kvm {

class VmStateWatcher {
 public:
  VmStateWatcher(std::shared_ptr<LibvirtHost> host, std::chrono::milliseconds interval,
                 Logger& logger)
      : host_(std::move(host)), interval_(interval), logger_(logger) {}
  ~VmStateWatcher() { stop(); }

  void start();
  void stop();
  // From the management node's Facts and Ping: this host's uuid, and who to report to. A new
  // host uuid or list means a new manager: it gets the picture at once.
  void managedBy(const std::string& hostUuid, std::vector<agent::Address> nodes);
  // A guest command of the manager's ran: what the guest is now is known to it.
  void settle(const std::string& vmUuid);

 private:
  void run();
  bool report(const Json& vms);

  std::shared_ptr<LibvirtHost> host_;
  std::chrono::milliseconds interval_;
  Logger& logger_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool dirty_ = false;  // the manager has not taken the current picture
  bool kick_ = false;   // a new manager: report now rather than at the next turn
  Json known_ = Json::object();  // what the manager knows: {vm uuid: state}
  std::string hostUuid_;
  std::vector<agent::Address> nodes_;
  std::thread thread_;
};

// {"hostUuid", "managementNodes": [{"host", "port"}]} of a Facts or Ping command.
void noteManager(VmStateWatcher& watcher, const Json& body);

}  // namespace strato::kvm
