// The primary storage handlers of section 4.4 and what the cascade and host events need. Every
// function blocks (SQL and drivers): run it on the blocking pool, inside a request whose
// resourceUuid is the storage where there is one, so one storage sees one change at a time.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ps_driver.h"

namespace strato::primary {

class PrimaryStorageService {
 public:
  PrimaryStorageService(MessageBus& bus, Database& db, const ExtensionLookup& extensions,
                        Logger& logger)
      : bus_(bus), db_(db), extensions_(extensions), logger_(logger) {}

  MessageBus& bus() { return bus_; }

  Result<std::shared_ptr<PrimaryStorageDriver>> driver(const std::string& type) const;
  std::vector<std::shared_ptr<PrimaryStorageDriver>> drivers() const;

  // Add<Type>PrimaryStorage: params name, description?, url, zoneUuid, type?, resourceUuid?,
  // systemTags?; `extra` is stored with the row for the driver. Connecting -> connect() ->
  // Connected; a failed connect deletes the row again and says why.
  Reply add(const std::string& type, const Json& params, Json extra);
  Reply attach(const std::string& uuid, const std::string& clusterUuid);
  Reply detach(const std::string& uuid, const std::string& clusterUuid);
  Reply reconnect(const std::string& uuid);
  Reply syncCapacity(const std::string& uuid);
  Reply cleanUpImageCache(const std::string& uuid);
  Reply changeState(const Json& params);
  Reply update(const Json& params);
  Reply deleteRow(const std::string& uuid);

  // A host of a cluster the storage is attached to came (back) Connected: the storage is
  // attached to it too (mounted, its local disk counted).
  Status hostJoined(const std::string& uuid, const std::string& hostUuid);
  // Storages attached to the host's cluster.
  Result<std::vector<std::string>> storagesOfHost(const std::string& hostUuid);

  // Cascade: the attachment goes with its cluster or its storage. The driver detaches from the
  // cluster's hosts as far as it can (failures are logged: the hosts are usually going too).
  Status removeAttachment(const std::string& uuid, const std::string& clusterUuid);
  // Cascade: storages' rows and what hangs on them; drivers forget them.
  Status removeStorages(const std::vector<std::string>& uuids);
  // Recomputes a LocalStorage's capacity from its host refs (after refs went by cascade).
  Status refreshLocalCapacity(const std::string& uuid);
  void hostDeleted(const std::string& hostUuid);

 private:
  MessageBus& bus_;
  Database& db_;
  const ExtensionLookup& extensions_;
  Logger& logger_;
};

}  // namespace strato::primary
