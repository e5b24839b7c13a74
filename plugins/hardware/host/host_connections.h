// Connecting hosts through their hypervisor's driver: the first add (host.AddHost), reconnects,
// and the periodic ping. Every function blocks (SQL and the driver): run it on the blocking pool,
// in a request whose resourceUuid is the host (except add), so one host sees one at a time.
#pragma once

#include <string>

#include <strato/sdk.h>

namespace strato::host {

class HostConnections {
 public:
  HostConnections(MessageBus& bus, Database& db, const ExtensionLookup& extensions,
                  const GlobalConfigView& globalConfig, Logger& logger)
      : bus_(bus), db_(db), extensions_(extensions), globalConfig_(globalConfig), logger_(logger) {}

  // kAddHostMessage: {"spec": {uuid?, name, description?, managementIp, clusterUuid,
  // hypervisorType, extra}, "systemTags": [...]?} -> {"inventory": host}. On a failed connect
  // the row goes again and the error says why.
  Reply add(const Json& body);
  // ReconnectHost: Connecting, connect(), then Connected (facts refreshed) or Disconnected.
  Reply reconnect(const std::string& uuid);
  // One ping of one tracked host: Connected -> Disconnected when it fails; a Disconnected host
  // that answers again is reconnected when host/connection.autoReconnectOnError is true.
  Status ping(const std::string& uuid);

 private:
  Result<std::shared_ptr<HypervisorDriver>> driver(const std::string& type) const;
  // connect() and record the outcome; the host is Connecting when called.
  Status connect(const HostSpec& spec);

  MessageBus& bus_;
  Database& db_;
  const ExtensionLookup& extensions_;
  const GlobalConfigView& globalConfig_;
  Logger& logger_;
};

}  // namespace strato::host
