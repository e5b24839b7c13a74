// Cascading deletion. Resource types form a graph through their declared parents (a cluster's
// parent is its zone, a host's its cluster, an attachment row's both ends). Deleting resources
// deletes what hangs below them first: the kernel collects every resource below, asks every
// node's check() (any refusal stops the whole deletion before anything changed), then calls
// remove() deepest first, and finally forgets the ownership, shares and tags of whatever went.
#pragma once

#include <string>
#include <string_view>
#include <vector>

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

// Handled by the kernel. Request body:
//   {"resourceType": "ZoneVO", "uuids": ["..."], "deleteMode": "Permissive" | "Enforcing"}
// Deletes everything below those resources (not the resources themselves: the caller deletes
// them once the cascade succeeded). Reply: {"deleted": {"ClusterVO": ["..."], ...}}.
inline constexpr std::string_view kCascadeDeleteMessage = "kernel.CascadeDelete";

}  // namespace strato
