#include "vm_state_watcher.h"

#include <algorithm>

#include "agent_client/kvm_protocol.h"

namespace strato::kvm {

void VmStateWatcher::start() { thread_ = std::thread([this] { run(); }); }

void VmStateWatcher::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void VmStateWatcher::managedBy(const std::string& hostUuid, std::vector<agent::Address> nodes) {
  std::lock_guard lock(mutex_);
  auto same = [](const agent::Address& a, const agent::Address& b) {
    return a.host == b.host && a.port == b.port;
  };
  bool changed = hostUuid != hostUuid_ || nodes.size() != nodes_.size() ||
                 !std::equal(nodes.begin(), nodes.end(), nodes_.begin(), same);
  if (!changed) return;
  hostUuid_ = hostUuid;
  nodes_ = std::move(nodes);
  dirty_ = kick_ = true;
  wake_.notify_all();
}

bool VmStateWatcher::report(const Json& vms) {
  std::string hostUuid;
  std::vector<agent::Address> nodes;
  {
    std::lock_guard lock(mutex_);
    hostUuid = hostUuid_;
    nodes = nodes_;
  }
  if (hostUuid.empty()) return false;  // nobody manages this host yet
  Message m{std::string(kVmStatesReport), "", Json{{"hostUuid", hostUuid}, {"vms", vms}}};
  for (const auto& node : nodes) {
    auto taken = agent::call(node, m, std::chrono::seconds(30));
    if (taken) {
      logger_.info("vm.states.reported host=" + hostUuid + " guests=" + std::to_string(vms.size()) +
                   " to=" + node.text());
      return true;
    }
    logger_.warn("vm.states.report.refused to=" + node.text() + " error=" + taken.error().describe());
  }
  logger_.warn("vm.states.report.failed host=" + hostUuid);
  return false;
}

void VmStateWatcher::settle(const std::string& vmUuid) {
  auto state = host_->state(vmUuid);
  if (!state) return;  // the next look finds out
  std::lock_guard lock(mutex_);
  if (*state == "Stopped") {
    known_.erase(vmUuid);
  } else {
    known_[vmUuid] = *state;
  }
}

void VmStateWatcher::run() {
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      // A failed report waits for the next turn, so an unreachable manager is not hammered.
      wake_.wait_for(lock, interval_, [this] { return stopping_ || kick_; });
      if (stopping_) return;
      kick_ = false;
    }
    auto now = host_->states();
    if (!now) {  // libvirt is away; the next turn asks again
      logger_.warn("vm.states.unreadable error=" + now.error().describe());
      continue;
    }
    {
      std::lock_guard lock(mutex_);
      if (*now == known_ && !dirty_) continue;
    }
    if (report(*now)) {
      std::lock_guard lock(mutex_);
      known_ = *now;
      dirty_ = false;
    }
  }
}

void noteManager(VmStateWatcher& watcher, const Json& body) {
  std::vector<agent::Address> nodes;
  for (const auto& n : body.value("managementNodes", Json::array())) {
    if (n.is_object()) nodes.push_back({n.value("host", ""), n.value("port", 0)});
  }
  std::string hostUuid = body.value("hostUuid", "");
  if (!hostUuid.empty() && !nodes.empty()) watcher.managedBy(hostUuid, std::move(nodes));
}

}  // namespace strato::kvm
