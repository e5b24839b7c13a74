// What an image's settings may be: formats, media types, platforms, download URLs.
#pragma once

#include <set>
#include <string>

#include <strato/sdk.h>

namespace strato::image {

inline const std::set<std::string> kFormats{"qcow2", "raw", "iso", "vmdk"};
inline const std::set<std::string> kMediaTypes{"RootVolumeTemplate", "DataVolumeTemplate", "ISO"};
inline const std::set<std::string> kPlatforms{"Linux", "Windows", "WindowsVirtio", "Other",
                                              "Paravirtualization"};

inline Status oneOf(const std::set<std::string>& allowed, const std::string& value,
                    const char* name) {
  if (allowed.count(value)) return {};
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
  return makeError(ErrorCode::kInvalidArgument, std::string(name) + " must be one of " + list,
                   value);
}

// The download URLs a backup storage can fetch: http://, https://, file:// with an absolute path.
inline Status checkUrl(const std::string& url) {
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0 &&
      url.rfind("file:///", 0) != 0) {
    return makeError(ErrorCode::kInvalidArgument,
                     "url must start with http://, https:// or file:///", url);
  }
  return {};
}

// The format and media type agree: an ISO is format iso, and only an ISO is.
inline Status checkMedia(const std::string& format, const std::string& mediaType) {
  if (auto s = oneOf(kFormats, format, "format"); !s) return s;
  if (auto s = oneOf(kMediaTypes, mediaType, "mediaType"); !s) return s;
  if ((format == "iso") != (mediaType == "ISO")) {
    return makeError(ErrorCode::kInvalidArgument,
                     "format iso goes with mediaType ISO, and only with it",
                     format + " / " + mediaType);
  }
  return {};
}

}  // namespace strato::image
