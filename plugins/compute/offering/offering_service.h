// The handlers of one kind of offering. Every function blocks (SQL): run it on the blocking pool,
// inside the request the kernel queued on the offering's uuid where there is one, so one offering
// sees one change at a time. Who may touch which offering (owner, shares) the kernel has checked
// before a handler runs.
#pragma once

#include <string>

#include "offering_kinds.h"

namespace strato::offering {

class OfferingService {
 public:
  OfferingService(Database& db, Logger& logger, const OfferingKind& kind)
      : db_(db), logger_(logger), kind_(kind) {}

  const OfferingKind& kind() const { return kind_; }

  // Create<noun>: name, description?, the kind's numbers, strategy?, type?, resourceUuid?.
  Reply create(const Json& params);
  // Update<noun>: name?, description?, and for instance offerings allocatorStrategy?.
  Reply update(const Json& params);
  // Change<noun>State: stateEvent enable -> Enabled, disable -> Disabled.
  Reply changeState(const Json& params);
  // The row, once the cascade below it succeeded. Deleting what is gone succeeds.
  Reply deleteRow(const std::string& uuid);

 private:
  Result<Json> inventory(const std::string& uuid);
  Reply inventoryReply(const std::string& uuid);

  Database& db_;
  Logger& logger_;
  const OfferingKind& kind_;
};

}  // namespace strato::offering
