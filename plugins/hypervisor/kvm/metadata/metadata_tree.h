// What strato-metadata answers a guest: the flat provider's userdata and metadata, in the EC2
// layout that cloud-init reads (ZStack's flat provider serves the same). The agent writes one tree
// per guest address under the root, and the guest's source address picks its tree:
//   <root>/<guest ip>/meta-data/instance-id, local-hostname, ... , public-keys/0/openssh-key
//   <root>/<guest ip>/user-data
// Any version works in the URL (/latest/..., /2009-04-04/...): there is only one.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace strato::metadata {

// The body for GET `path` from `clientIp`: a file's bytes, or a directory's entries one per line
// (sub-directories with a trailing '/'). nullopt: 404. Nothing outside the guest's own tree is
// reachable: every path segment is a plain name, and links are not followed.
std::optional<std::string> answer(const std::filesystem::path& root, const std::string& clientIp,
                                  const std::string& path);

}  // namespace strato::metadata
