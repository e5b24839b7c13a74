// Volume snapshots (3.2.21-3.2.25, 3.2.27) and snapshot groups (CreateVolumeSnapshotGroup,
// DeleteVolumeSnapshotGroup, UpdateVolumeSnapshotGroup). Snapshot files live on the volume's
// primary storage (kCreateSnapshotMessage, kRevertVolumeMessage, kDeleteVolumeMessage), which
// reserves and gives back their capacity. Calls that change a volume's snapshots run in the
// volume's queue; no handler waits on the bus from a blocking thread.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <strato/sdk.h>

namespace strato::volume {

// The snapshot calls as they run in a volume's queue (resourceUuid: the volume), {"params": ...}.
inline constexpr const char* kCreateSnapshotQueued = "volume.CreateVolumeSnapshotQueued";
inline constexpr const char* kDeleteSnapshotQueued = "volume.DeleteVolumeSnapshotQueued";

class SnapshotService : public std::enable_shared_from_this<SnapshotService> {
 public:
  SnapshotService(MessageBus& bus, Database& db, Logger& logger)
      : bus_(bus), db_(db), logger_(logger) {}

  void create(const Json& params, Replier reply);  // queued on params.volumeUuid
  void remove(const Json& params, Replier reply);  // queued on the snapshot's volume
  void revert(const Json& params, Replier reply);  // likewise
  Reply update(const Json& params);                // blocking

  // A group's snapshots are taken and deleted each in its volume's queue, as single calls are.
  void createGroup(const Json& params, const std::string& accountUuid, Replier reply);
  void removeGroup(const Json& params, Replier reply);
  Reply updateGroup(const Json& params);  // blocking

  // The snapshot's volume (blocking), to queue a call on it.
  Result<std::string> volumeOf(const std::string& snapshotUuid);

 private:
  // Takes one snapshot of the volume: the file, then the row in the volume's current tree.
  void take(const std::string& volumeUuid, const std::string& snapshotUuid, const std::string& name,
            const std::string& description, std::function<void(Result<std::string>)> done);
  // Deletes the snapshot and the ones taken after it on its branch.
  void removeSubtree(const std::string& snapshotUuid, std::function<void(Status)> done);

  MessageBus& bus_;
  Database& db_;
  Logger& logger_;
};

// When a volume is expunged its snapshots go first. Both block.
// The kDeleteVolumeMessage requests for the volume's snapshot files.
Result<std::vector<Message>> snapshotFileDeletions(Database& db, const std::string& volumeUuid);
// Drops the volume's snapshot rows and trees; returns the snapshots' uuids (to forget).
Result<std::vector<std::string>> dropSnapshotRows(Database& db, const std::string& volumeUuid);

}  // namespace strato::volume
