// The files strato-metadata serves a guest (../metadata/metadata_tree.h): its userdata and
// metadata in the EC2 layout cloud-init reads, one tree per guest address.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include <strato/result.h>

namespace strato::kvm {

// Where guests find userdata, as on EC2, OpenStack and ZStack.
inline constexpr const char* kMetadataAddress = "169.254.169.254";

struct GuestMetadata {
  std::string instanceId;  // the VM's uuid
  std::string hostname;    // empty: the address with '-' for '.', ZStack's default
  std::string sshKey;      // empty: none
  std::string userdata;    // decoded; empty: none
};

// Standard base64 (RFC 4648), whitespace ignored, as the userdata:: tag carries it; nullopt when
// it is not base64.
std::optional<std::string> decodeBase64(std::string_view text);

// <root>/<ip>/ holds `m` and nothing older. `ip` must have been checked.
Status writeGuestMetadata(const std::filesystem::path& root, const std::string& ip,
                          const GuestMetadata& m);
void removeGuestMetadata(const std::filesystem::path& root, const std::string& ip);

}  // namespace strato::kvm
