// The L2 network handlers of section 5.1 and what the cascade and host events need. Every
// function blocks (SQL, realizers): run it on the blocking pool, inside a request queued on the
// network where there is one, so one network sees one change at a time.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "l2_types.h"

namespace strato::l2 {

class L2NetworkService {
 public:
  L2NetworkService(Database& db, const ExtensionLookup& extensions, Logger& logger)
      : db_(db), extensions_(extensions), logger_(logger) {}

  Result<std::shared_ptr<L2NetworkFactory>> factory(const std::string& type) const;
  std::vector<std::shared_ptr<L2NetworkFactory>> factories() const;

  // Create<Type>: params name, description?, zoneUuid, physicalInterface, type?, resourceUuid?
  // and the type's own (vlan; poolUuid and vni).
  Reply create(const std::string& type, const Json& params);
  Reply update(const Json& params);
  // Realizes the network on the cluster's Connected hosts first; a failure undoes what was done
  // and leaves no attachment. A pool takes its VTEP CIDR on the cluster from `systemTags`
  // (vteps.h).
  Reply attach(const std::string& uuid, const std::string& clusterUuid, const Json& systemTags);
  // Tears it down on the cluster's Connected hosts (failures are logged) and drops the
  // attachment; detaching a pool detaches its VXLAN networks from the cluster too.
  Reply detach(const std::string& uuid, const std::string& clusterUuid);
  Reply deleteRow(const std::string& uuid);

  // A host of a cluster the network is attached to came (back) Connected.
  Status hostJoined(const std::string& uuid, const std::string& hostUuid);
  // Networks attached to the host's cluster.
  Result<std::vector<std::string>> networksOfHost(const std::string& hostUuid);
  // Its VTEPs go, and the other hosts of the VXLAN networks of its cluster stop tunnelling to it.
  void hostDeleted(const std::string& hostUuid, const std::string& clusterUuid);

  // Cascade: the attachment goes with its cluster or its network.
  Status removeAttachment(const std::string& uuid, const std::string& clusterUuid);

 private:
  // The realizers hear that the network's hosts changed without each being told (vteps.h).
  void membersChanged(const L2NetworkSpec& spec);
  Result<std::shared_ptr<L2NetworkRealizer>> realizer(const std::string& hypervisorType) const;
  // Realizes on every host or on none: what succeeded is undone after a failure.
  Status realizeOn(const L2NetworkSpec& spec, const std::vector<HostSpec>& hosts);
  void unrealizeOn(const L2NetworkSpec& spec, const std::vector<HostSpec>& hosts);

  Database& db_;
  const ExtensionLookup& extensions_;
  Logger& logger_;
};

// CreateVniRange / DeleteVniRange (the pool's summary columns follow).
Reply createVniRange(Database& db, const Json& params);
Reply deleteVniRange(Database& db, const std::string& uuid);

}  // namespace strato::l2
