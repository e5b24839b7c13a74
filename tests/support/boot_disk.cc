#include "support/boot_disk.h"

#include <fstream>
#include <stdexcept>

#include "support/process.h"

namespace strato::test {

namespace fs = std::filesystem;

namespace {

fs::path newestKernel() {
  fs::path best;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/boot", ec)) {
    if (e.path().filename().string().rfind("vmlinuz-", 0) == 0 && e.path() > best) best = e.path();
  }
  if (best.empty()) throw std::runtime_error("no /boot/vmlinuz-*: install linux-image-cloud-amd64");
  return best;
}

}  // namespace

fs::path buildBootDisk(const fs::path& dir) {
  fs::path root = dir / "initramfs";
  fs::create_directories(root / "bin");
  fs::copy_file(findProgram("busybox", "busybox-static"), root / "bin/busybox",
                fs::copy_options::overwrite_existing);
  std::ofstream(root / "init") << "#!/bin/busybox sh\n"
                               << "/bin/busybox mkdir -p /proc\n"
                               << "/bin/busybox mount -t proc proc /proc\n"
                               << "echo " << kBootMarker << "\n"
                               << "exec /bin/busybox sleep 100000\n";
  fs::permissions(root / "init", fs::perms::owner_all | fs::perms::group_exec |
                                     fs::perms::others_exec);
  fs::path log = dir / "build.log";
  // cpio reads the file list on stdin: through sh, the one place a pipe is needed.
  runOrThrow("/bin/sh",
             {"-c", "cd " + root.string() + " && find . | " + findProgram("cpio", "cpio") +
                        " -o -H newc 2>/dev/null | gzip -1 > " + (dir / "initrd.gz").string()},
             log);
  std::ofstream(dir / "syslinux.cfg")
      << "DEFAULT linux\nPROMPT 0\nTIMEOUT 0\nLABEL linux\n  KERNEL vmlinuz\n"
      << "  APPEND initrd=initrd.gz console=ttyS0 quiet\n";
  fs::path disk = dir / "boot.img";
  { std::ofstream(disk).close(); }
  fs::resize_file(disk, 64 << 20);
  runOrThrow(findProgram("mkfs.vfat", "dosfstools"), {"-n", "STRATO", disk.string()}, log);
  std::string mcopy = findProgram("mcopy", "mtools");
  for (auto [from, to] : {std::pair{newestKernel(), "::vmlinuz"},
                          {dir / "initrd.gz", "::initrd.gz"},
                          {dir / "syslinux.cfg", "::syslinux.cfg"}}) {
    runOrThrow(mcopy, {"-i", disk.string(), from.string(), to}, log);
  }
  runOrThrow(findProgram("syslinux", "syslinux"), {"--install", disk.string()}, log);
  fs::permissions(disk, fs::perms::all);
  return disk;
}

}  // namespace strato::test
