#include "kvm_fencer.h"

#include <thread>

#include <strato/handler_util.h>

#include "agent_client/kvm_protocol.h"

namespace strato::kvm {

Result<std::map<std::string, std::string>> KvmFencer::beats(const std::string& witnessIp,
                                                            const std::string& hostUuid,
                                                            const std::vector<std::string>& roots) {
  std::map<std::string, std::string> out;
  for (const auto& root : roots) {
    auto read = agents_->call(witnessIp, kReadHeartbeat, Json{{"root", root}, {"hostUuid", hostUuid}});
    if (!read) return read.error();
    if (read->contains("beat")) out[root] = read->value("beat", "");
  }
  return out;
}

Result<bool> KvmFencer::isDown(const std::string& hostUuid) {
  auto roots = agents_->heartbeatRoots(hostUuid);
  if (!roots) return roots.error();
  if (roots->empty()) return false;
  auto witnesses = textColumn(
      db_,
      "SELECT w.managementIp FROM host w JOIN host h ON h.clusterUuid = w.clusterUuid WHERE "
      "h.uuid = ? AND w.uuid <> h.uuid AND w.status = 'Connected' AND w.hypervisorType = 'KVM' "
      "ORDER BY w.uuid",
      {hostUuid});
  if (!witnesses) return witnesses.error();
  for (const auto& witness : *witnesses) {
    auto before = beats(witness, hostUuid, *roots);
    if (!before) continue;  // that witness is unwell itself: ask the next
    if (before->empty()) return false;  // it never wrote one: nothing to go by
    std::this_thread::sleep_for(3 * agents_->settings().heartbeat);
    auto after = beats(witness, hostUuid, *roots);
    if (!after) continue;
    bool still = *before == *after;
    logger_.info("kvm.fence host=" + hostUuid + " witness=" + witness +
                 (still ? " verdict=down" : " verdict=alive"));
    return still;
  }
  return false;
}

}  // namespace strato::kvm
