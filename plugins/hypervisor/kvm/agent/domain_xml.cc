#include "domain_xml.h"

#include <algorithm>

#include "nfs_share.h"

namespace strato::kvm {
namespace {

std::string escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '\'': out += "&apos;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string attr(const char* name, const std::string& value) {
  return std::string(" ") + name + "='" + escape(value) + "'";
}

// vda, vdb, ... vdz, vdaa: the guest's disk names by device id.
std::string diskTarget(int deviceId) {
  std::string suffix;
  int n = std::max(deviceId, 0);
  do {
    suffix.insert(suffix.begin(), static_cast<char>('a' + n % 26));
    n = n / 26 - 1;
  } while (n >= 0);
  return "vd" + suffix;
}

std::string bootDevices(const VmSpec& vm) {
  std::string out;
  Json order = vm.extra.value("bootOrder", Json::array());
  if (!order.is_array() || order.empty()) order = Json::array({"HardDisk", "CdRom"});
  for (const auto& d : order) {
    if (!d.is_string()) continue;
    std::string dev = d == "CdRom" ? "cdrom" : d == "Network" ? "network" : "hd";
    out += "    <boot dev='" + dev + "'/>\n";
  }
  return out;
}

std::string graphicsXml(const VmSpec& vm) {
  std::string password = vm.extra.value("consolePassword", std::string());
  return "    <graphics type='vnc' port='-1' autoport='yes' listen='0.0.0.0'" +
         (password.empty() ? std::string() : attr("passwd", password)) + "/>\n";
}

std::string serialXml(const VmSpec& vm, const DomainOptions& options) {
  std::string log;
  if (!options.consoleLogDir.empty()) {
    log = "      <log" + attr("file", options.consoleLogDir + "/" + vm.uuid + ".log") +
          " append='off'/>\n";
  }
  return "    <serial type='pty'>\n" + log + "    </serial>\n    <console type='pty'/>\n";
}

}  // namespace

std::string dashedUuid(const std::string& u) {
  if (u.size() != 32) return u;
  return u.substr(0, 8) + "-" + u.substr(8, 4) + "-" + u.substr(12, 4) + "-" + u.substr(16, 4) +
         "-" + u.substr(20);
}

std::string bridgeOf(const VmSpec& vm, const VmNicSpec& nic) {
  const Json& bridges = vm.extra.value("nicBridges", Json::object());
  return bridges.is_object() ? bridges.value(nic.uuid, std::string()) : std::string();
}

std::string diskXml(const VmVolumeSpec& v) {
  // A file on an NFS share is opened by QEMU itself (its libnfs driver): nothing is mounted.
  auto nfs = parseNfsUrl(v.installPath);
  std::string source = nfs ? "      <source protocol='nfs'" + attr("name", nfs->path) +
                                 ">\n        <host" + attr("name", nfs->server) +
                                 "/>\n      </source>\n"
                           : "      <source" + attr("file", v.installPath) + "/>\n";
  return "    <disk" + attr("type", nfs ? "network" : "file") +
         " device='disk'>\n      <driver name='qemu'" +
         attr("type", v.format.empty() ? "qcow2" : v.format) + " cache='none'/>\n" + source +
         "      <target" + attr("dev", diskTarget(v.deviceId)) + " bus='virtio'/>\n      <serial>" +
         escape(v.uuid.substr(0, 20)) + "</serial>\n" +
         // Other guests write it too: libvirt then neither locks nor relabels it for one guest.
         (v.shareable ? "      <shareable/>\n" : "") + "    </disk>\n";
}

std::string cdromXml(const VmSpec& vm) {
  std::string source;
  const Json& iso = vm.extra.value("iso", Json());
  if (iso.is_object() && iso.contains("installPath")) {
    source = "      <source" + attr("file", iso.value("installPath", "")) + "/>\n";
  }
  return "    <disk type='file' device='cdrom'>\n      <driver name='qemu' type='raw'/>\n" +
         source + "      <target dev='sdc' bus='sata'/>\n      <readonly/>\n    </disk>\n";
}

std::string interfaceXml(const VmNicSpec& n, const std::string& bridge) {
  std::string bandwidth;
  // libvirt counts kilobytes per second; the spec bits per second.
  if (n.inboundBandwidth > 0 || n.outboundBandwidth > 0) {
    bandwidth = "      <bandwidth>\n";
    if (n.inboundBandwidth > 0) {
      bandwidth += "        <inbound average='" + std::to_string(n.inboundBandwidth / 8192) + "'/>\n";
    }
    if (n.outboundBandwidth > 0) {
      bandwidth +=
          "        <outbound average='" + std::to_string(n.outboundBandwidth / 8192) + "'/>\n";
    }
    bandwidth += "      </bandwidth>\n";
  }
  return "    <interface type='bridge'>\n      <mac" + attr("address", n.mac) + "/>\n      <source" +
         attr("bridge", bridge) + "/>\n      <model type='virtio'/>\n" + bandwidth +
         "    </interface>\n";
}

std::string domainXml(const VmSpec& vm, const DomainOptions& options) {
  std::string xml = "<domain" + attr("type", options.domainType) + ">\n  <name>" +
                    escape(vm.uuid) + "</name>\n  <uuid>" + dashedUuid(vm.uuid) +
                    "</uuid>\n  <description>" + escape(vm.name) + "</description>\n";
  xml += "  <memory unit='KiB'>" + std::to_string(std::max<std::int64_t>(vm.memorySize / 1024, 1)) +
         "</memory>\n  <vcpu>" + std::to_string(std::max<std::int64_t>(vm.cpuNum, 1)) +
         "</vcpu>\n";
  xml += "  <os>\n    <type arch='x86_64'>hvm</type>\n" + bootDevices(vm) + "  </os>\n";
  xml += "  <features><acpi/><apic/></features>\n  <on_poweroff>destroy</on_poweroff>\n"
         "  <on_reboot>restart</on_reboot>\n  <on_crash>destroy</on_crash>\n  <devices>\n";
  auto volumes = vm.volumes;
  std::sort(volumes.begin(), volumes.end(),
            [](const auto& a, const auto& b) { return a.deviceId < b.deviceId; });
  for (const auto& v : volumes) xml += diskXml(v);
  xml += cdromXml(vm);
  for (const auto& n : vm.nics) xml += interfaceXml(n, bridgeOf(vm, n));
  xml += serialXml(vm, options) + graphicsXml(vm);
  if (vm.extra.value("qga", false)) {
    xml += "    <channel type='unix'>\n      <target type='virtio' "
           "name='org.qemu.guest_agent.0'/>\n    </channel>\n";
  }
  xml += "  </devices>\n</domain>\n";
  return xml;
}

}  // namespace strato::kvm
