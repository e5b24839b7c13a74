// The host table: rows, inventories, status transitions and capacities. Every function blocks on
// the database: call it from the bus's blocking pool (or a thread of the plugin's own).
#pragma once

#include <string>
#include <vector>

#include <strato/host_events.h>
#include <strato/sdk.h>

namespace strato::host {

// The host events are the SDK's (<strato/host_events.h>), which other plugins follow.
inline constexpr std::string_view kStatusChangedEvent = kHostStatusChangedEvent;

// The inventory as section 4.3.1 shows it, or kNotFound.
Result<Json> loadHost(Database& db, const std::string& uuid);
inline Reply hostReply(Database& db, const std::string& uuid) {
  auto host = loadHost(db, uuid);
  if (!host) return host.error();
  return Json{{"inventory", *host}};
}

// What a driver needs to reach the host, with its status; kNotFound when gone.
struct HostRecord {
  HostSpec spec;
  std::string status;
  std::string state;
};
Result<HostRecord> loadRecord(Database& db, const std::string& uuid);

// Moves status `from` -> `to` (only if it still is `from`) and publishes kStatusChangedEvent.
// Returns whether the row changed.
Result<bool> transition(Database& db, MessageBus& bus, const std::string& uuid,
                        const std::string& from, const std::string& to);

// Deletes the rows and publishes kHostDeletedEvent for each.
Status removeHosts(Database& db, MessageBus& bus, const std::vector<std::string>& uuids);

// Hosts whose status the ping tracker watches (Connected and Disconnected).
Result<std::vector<std::string>> trackedHosts(Database& db);

}  // namespace strato::host
