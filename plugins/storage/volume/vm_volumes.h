// The volumes of VMs, as the vm plugin asks for them (<strato/vm.h>): created with the VM on the
// storage it chose, expunged with it, detached from it. The handlers never wait on the bus from
// a blocking thread (hundreds of VMs are created at once): SQL runs on the blocking pool, the
// storage is asked asynchronously, and the reply is sent from the last step.
#pragma once

#include <memory>

#include <strato/sdk.h>

#include "volume_store.h"

namespace strato::volume {

class VmVolumes : public std::enable_shared_from_this<VmVolumes> {
 public:
  VmVolumes(MessageBus& bus, Database& db, Logger& logger) : bus_(bus), db_(db), logger_(logger) {}

  void create(const Json& body, Replier reply);
  void expunge(const Json& body, Replier reply);
  Reply detach(const Json& body);
  // One data volume joins or leaves a VM (kAttachVmVolumeMessage, kDetachVmVolumeMessage).
  void attachOne(const Json& body, Replier reply);
  Reply detachOne(const Json& body);

 private:
  // Inserts the row (Creating); the storage-message body that creates its file.
  Result<Json> insertRow(const Json& body);
  // Checks the volume and takes the VM's lowest free data device id for it. `host` is where the
  // VM runs, or whose local disk holds its volumes (empty: neither).
  Result<VolumeRecord> claimFor(const std::string& volumeUuid, const std::string& vmUuid,
                                const std::string& host, const std::vector<std::string>& storages);
  // A shareable volume joins the VM beside its other VMs, with `device` there.
  Status claimShared(const VolumeRecord& volume, const std::string& vmUuid, std::int64_t device);
  void unclaim(const std::string& volumeUuid, const std::string& vmUuid);
  // kConflict when the volume is on the local disk of a host other than `host`.
  Status onHostOf(const VolumeRecord& volume, const std::string& vm, const std::string& host);

  MessageBus& bus_;
  Database& db_;
  Logger& logger_;
};

}  // namespace strato::volume
