// VXLAN tunnel ends (ZStack's VTEPs), kept on the pool's row as ZStack's inventory shows them:
//   attachedCidrs     {clusterUuid: cidr}: a host of the cluster has its VTEP on its address in
//                     the CIDR, given when the pool is attached to the cluster with the system
//                     tag "l2NetworkUuid::<pool>::clusterUuid::<cluster>::cidr::{<cidr>}".
//                     Clusters without one use their hosts' management addresses.
//   attachedVtepRefs  [{uuid, hostUuid, vtepIp, port, type, poolUuid, createDate, lastOpDate}]:
//                     the VTEP each host got when a network of the pool was first realized on
//                     it.
// Every function blocks on the database.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>

#include <strato/handler_util.h>

namespace strato::l2 {

inline constexpr std::int64_t kVxlanPort = 4789;

// The CIDR that an attach call's system tags give the pool on the cluster, if any; kInvalidArgument
// for a tag about the attachment that is not well formed.
Result<std::optional<std::string>> cidrFromTags(const Json& systemTags, const std::string& pool,
                                                const std::string& cluster);

// The pool's CIDR on the cluster: empty for none. Call in the attach's or detach's transaction
// (`cidr` empty removes it; the detach also drops the attach's tag).
Status setPoolCidr(Database& tx, const std::string& pool, const std::string& cluster,
                   const std::string& cidr);

struct TunnelEnds {
  std::map<std::string, std::string> cidrs;  // cluster -> CIDR
  std::map<std::string, std::string> vteps;  // host -> VTEP address
};
Result<TunnelEnds> tunnelEnds(Database& db, const std::string& pool);

// The host's VTEP in the pool is `ip` (replacing the one it had).
Status recordVtep(Database& db, const std::string& pool, const std::string& host,
                  const std::string& ip);
// The hosts' VTEPs are gone from every pool (hosts deleted, or their cluster detached from
// `pool` when it is not empty).
Status forgetVteps(Database& db, const std::set<std::string>& hosts, const std::string& pool = "");

}  // namespace strato::l2
