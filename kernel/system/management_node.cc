#include "system/management_node.h"

#include "log/logging.h"
#include "strato/time_format.h"

namespace strato::kernel {

Status ManagementNodeRecord::join(const std::string& uuid, const std::string& hostName, int port,
                                  const std::string& version) {
  auto now = nowMillis();
  auto inserted = db_.execute(
      "INSERT INTO management_node (uuid, hostName, port, state, version, joinDate, heartBeat) "
      "VALUES (?, ?, ?, 'Running', ?, ?, ?)",
      {uuid, hostName, std::int64_t{port}, version, now, now});
  if (!inserted) return inserted.error();
  uuid_ = uuid;
  heartbeat_.start(std::chrono::seconds(5), [this] {
    auto beat = db_.execute("UPDATE management_node SET heartBeat = ? WHERE uuid = ?",
                            {nowMillis(), uuid_});
    if (!beat)
      componentLogger("kernel.node")
          ->warn("heartbeat failed error=\"" + beat.error().describe() + "\"");
  });
  return {};
}

void ManagementNodeRecord::leave() {
  heartbeat_.stop();
  if (uuid_.empty()) return;
  (void)db_.execute("DELETE FROM management_node WHERE uuid = ?", {uuid_});
  uuid_.clear();
}

}  // namespace strato::kernel
