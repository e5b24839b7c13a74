// Cascading deletion. Resource types form a graph through their declared parents (a cluster's
// parent is its zone, a host's its cluster, an attachment row's both ends). Deleting resources
// deletes what hangs below them first: the kernel collects every resource below, asks every
// node's check() (any refusal stops the whole deletion before anything changed), then calls
// remove() deepest first, and finally forgets the ownership, shares and tags of whatever went.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "strato/bus.h"
#include "strato/result.h"

namespace strato {

// Permissive refuses to delete what is still in use (a host with running VMs, say); Enforcing
// deletes anyway, stopping or detaching what it must.
enum class DeleteMode { kPermissive, kEnforcing };

inline DeleteMode deleteModeFrom(std::string_view text) {
  return text == "Enforcing" ? DeleteMode::kEnforcing : DeleteMode::kPermissive;
}

class CascadeNode {
 public:
  static constexpr std::string_view kExtensionPoint = "strato.CascadeNode";
  virtual ~CascadeNode() = default;

  virtual std::string resourceType() const = 0;              // e.g. "ClusterVO"
  virtual std::vector<std::string> parentTypes() const = 0;  // e.g. {"ZoneVO"}
  // This type's resources below the given resources of `parentType`. Blocking (SQL).
  virtual Result<std::vector<std::string>> below(const std::string& parentType,
                                                 const std::vector<std::string>& parentUuids) = 0;
  // May these go? kConflict with a reason to refuse. Blocking.
  virtual Status check(const std::vector<std::string>& uuids, DeleteMode mode) {
    (void)uuids;
    (void)mode;
    return {};
  }
  // Deletes them (or, for attachment rows, detaches). Blocking.
  virtual Status remove(const std::vector<std::string>& uuids, DeleteMode mode) = 0;
};

// A Permissive check() that refuses: kConflict with `message`, the resources in the way listed in
// the details (cut after about 2,000 characters).
inline Error refusedBecauseOf(const std::vector<std::string>& uuids, std::string message) {
  std::string names;
  for (const auto& uuid : uuids) {
    if (names.size() > 2000) {
      names += ", ...";
      break;
    }
    names += (names.empty() ? "" : ", ") + uuid;
  }
  return makeError(ErrorCode::kConflict, std::move(message), std::move(names));
}

// Handled by the kernel. Request body:
//   {"resourceType": "ZoneVO", "uuids": ["..."], "deleteMode": "Permissive" | "Enforcing"}
// Deletes everything below those resources (not the resources themselves: the caller deletes
// them once the cascade succeeded). Reply: {"deleted": {"ClusterVO": ["..."], ...}}.
// Send it without a resourceUuid: the caller's own request usually holds that resource's queue,
// and a second request on it would wait for the first to finish.
inline constexpr std::string_view kCascadeDeleteMessage = "kernel.CascadeDelete";

// Handled by the kernel. Request body {"uuids": ["..."]}: forgets these resources' ownership,
// shares and tags. A DELETE API does this by itself for a resource whose row is gone; a plugin
// sends it when a resource goes otherwise (expunged later, or swept along by another's deletion).
inline constexpr std::string_view kForgetResourcesMessage = "kernel.ForgetResources";

// Handled by the kernel. Request body {"accountUuid", "resources": [{"uuid", "resourceType"}]}:
// records that account as the owner of resources a plugin created on its behalf (a VM's root
// volume and NICs), as a POST API does for the resource it answers with. Already owned: kept.
inline constexpr std::string_view kRecordOwnershipMessage = "kernel.RecordOwnership";

// Handled by the kernel. Request body {"inventory": "VmInstance", "uuid"} -> {"inventory": {...}}:
// the resource as its Query API renders it (lists included); kNotFound when there is no row.
// Inventories without a uuid (the ref tables) are found by "conditions" instead, in the Query
// APIs' q= form (["resourceUuid=...", "primaryStorageUuid=..."]); the first row matching is
// rendered.
inline constexpr std::string_view kRenderInventoryMessage = "kernel.RenderInventory";

// The usual Delete<Resource> handler: the cascade below the resource, then `removeSelf` (its own
// row) on the blocking pool once that succeeded; `reply` gets the first error or removeSelf's
// result. Call it from the handler, on a bus worker; it does not block.
inline void deleteWithCascade(MessageBus& bus, std::string resourceType, std::string uuid,
                              std::string deleteMode, std::function<Reply()> removeSelf,
                              Replier reply) {
  auto shared = std::make_shared<Replier>(std::move(reply));
  bus.request({std::string(kCascadeDeleteMessage),
               "",
               {{"resourceType", std::move(resourceType)},
                {"uuids", {std::move(uuid)}},
                {"deleteMode", std::move(deleteMode)}}},
              [&bus, removeSelf = std::move(removeSelf), shared](Reply cascaded) {
                if (!cascaded) return (*shared)(cascaded.error());
                bus.postBlocking([removeSelf, shared] { (*shared)(removeSelf()); });
              });
}

}  // namespace strato
