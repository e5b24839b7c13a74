// A bootable disk image for end-to-end guests, built from Debian packages without downloads: the
// machine's kernel (linux-image-cloud-amd64), an initramfs holding busybox (busybox-static) whose
// init prints kBootMarker on the serial console and waits, on a FAT file system that syslinux
// boots (syslinux, mtools, dosfstools). Raw format, 64 MiB.
#pragma once

#include <filesystem>

namespace strato::test {

inline constexpr const char* kBootMarker = "STRATO-GUEST-BOOTED";

// Builds <dir>/boot.img and answers its path; throws naming what is missing.
std::filesystem::path buildBootDisk(const std::filesystem::path& dir);

}  // namespace strato::test
