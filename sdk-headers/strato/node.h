// This management node as others reach it. A plugin that asks a remote peer (a host agent) to
// call it back later needs the address to give; the kernel knows it once its HTTP server listens.
#pragma once

#include <string_view>

namespace strato {

// {} -> {"uuid", "host", "port"}: this node's row of QueryManagementNode. kUnavailable until the
// node listens (before its start hooks have all run). Server role only.
inline constexpr std::string_view kNodeAddressMessage = "kernel.NodeAddress";

}  // namespace strato
