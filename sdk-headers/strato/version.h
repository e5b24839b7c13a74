// SDK version and ABI version. A plugin records the ABI it was built against in its
// descriptor; the kernel refuses a plugin whose major differs or whose minor is newer than its own.
#pragma once

#include <cstdint>

namespace strato {

// Bump the major for any incompatible change to an SDK interface (a virtual added, removed or
// reordered, a struct crossing the boundary changed). Bump the minor for additions that old
// plugins cannot notice (new free functions, new extension points).
inline constexpr std::uint32_t kSdkAbiMajor = 5;
inline constexpr std::uint32_t kSdkAbiMinor = 0;

inline constexpr const char* kSdkVersion = "0.1.0";

}  // namespace strato
