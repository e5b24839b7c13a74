#include "ping_tracker.h"

#include "host_store.h"

namespace strato::host {

std::chrono::milliseconds PingTracker::interval() const {
  return std::chrono::seconds(
      std::max<std::int64_t>(1, globalConfig_.getInt("host", "ping.interval", 60)));
}

void PingTracker::pingRound() {
  auto hosts = trackedHosts(db_);
  if (!hosts) {
    logger_.warn("host.ping.round.failed error=" + hosts.error().describe());
    return;
  }
  auto self = shared_from_this();
  for (auto& uuid : *hosts) {
    if (stopping_) return;
    {
      std::lock_guard lock(mutex_);
      if (!inFlight_.insert(uuid).second) continue;
    }
    bus_.request({std::string(kPingMessage), uuid, Json::object()}, [self, uuid](Reply reply) {
      if (!reply)
        self->logger_.debug("host.ping.error uuid=" + uuid + " error=" + reply.error().describe());
      std::lock_guard lock(self->mutex_);
      self->inFlight_.erase(uuid);
    });
  }
}

}  // namespace strato::host
