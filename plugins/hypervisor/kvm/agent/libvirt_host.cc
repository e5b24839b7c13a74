#include "libvirt_host.h"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <thread>

namespace strato::kvm {

struct LibvirtHost::Conn {
  virConnectPtr ptr = nullptr;
  ~Conn() {
    if (ptr) virConnectClose(ptr);
  }
};

namespace {

// libvirt keeps the last error per thread; turn it into ours.
Error libvirtError(const std::string& what, ErrorCode fallback = ErrorCode::kInternal) {
  virErrorPtr e = virGetLastError();
  std::string message = e && e->message ? e->message : "unknown libvirt error";
  ErrorCode code = fallback;
  if (e && e->code == VIR_ERR_NO_SUPPORT) code = ErrorCode::kNotSupported;
  if (e && e->code == VIR_ERR_NO_DOMAIN) code = ErrorCode::kNotFound;
  if (e && e->code == VIR_ERR_OPERATION_INVALID) code = ErrorCode::kConflict;
  return makeError(code, what, message);
}

class Domain {
 public:
  explicit Domain(virDomainPtr p) : p_(p) {}
  ~Domain() {
    if (p_) virDomainFree(p_);
  }
  Domain(const Domain&) = delete;
  Domain& operator=(const Domain&) = delete;
  virDomainPtr get() const { return p_; }
  explicit operator bool() const { return p_ != nullptr; }

 private:
  virDomainPtr p_;
};

int powerState(virDomainPtr d) {
  int state = VIR_DOMAIN_NOSTATE, reason = 0;
  if (virDomainGetState(d, &state, &reason, 0) < 0) return VIR_DOMAIN_NOSTATE;
  return state;
}

std::string stateName(int state) {
  switch (state) {
    case VIR_DOMAIN_RUNNING:
    case VIR_DOMAIN_BLOCKED: return "Running";
    case VIR_DOMAIN_PAUSED:
    case VIR_DOMAIN_PMSUSPENDED: return "Paused";
    case VIR_DOMAIN_CRASHED: return "Crashed";
    default: return "Stopped";
  }
}

std::string osRelease(const char* key) {
  std::ifstream in("/etc/os-release");
  std::string line, prefix = std::string(key) + "=";
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) != 0) continue;
    std::string v = line.substr(prefix.size());
    if (v.size() >= 2 && v.front() == '"') v = v.substr(1, v.size() - 2);
    return v;
  }
  return {};
}

std::string versionText(unsigned long v) {
  return std::to_string(v / 1000000) + "." + std::to_string(v / 1000 % 1000) + "." +
         std::to_string(v % 1000);
}

std::string domainTypeFor(const std::string& uri) {
  if (uri.rfind("test:", 0) == 0) return "test";
  return access("/dev/kvm", R_OK | W_OK) == 0 ? "kvm" : "qemu";
}

}  // namespace

LibvirtHost::LibvirtHost(std::string uri, DomainOptions options)
    : uri_(std::move(uri)), options_(std::move(options)) {}

LibvirtHost::~LibvirtHost() = default;

Result<std::unique_ptr<LibvirtHost>> LibvirtHost::open(const std::string& uri,
                                                       const std::string& domainType,
                                                       std::string consoleLogDir) {
  if (domainType != "auto" && domainType != "kvm" && domainType != "qemu" && domainType != "test") {
    return makeError(ErrorCode::kInvalidArgument, "domain type must be auto, kvm, qemu or test",
                     domainType);
  }
  std::string type = domainType == "auto" ? domainTypeFor(uri) : domainType;
  std::unique_ptr<LibvirtHost> host(
      new LibvirtHost(uri, DomainOptions{type, std::move(consoleLogDir)}));
  auto conn = host->connection();
  if (!conn) return conn.error();
  return host;
}

Result<std::shared_ptr<LibvirtHost::Conn>> LibvirtHost::connection() {
  std::lock_guard lock(mutex_);
  if (conn_ && virConnectIsAlive(conn_->ptr) == 1) return conn_;
  auto fresh = std::make_shared<Conn>();
  fresh->ptr = virConnectOpen(uri_.c_str());
  if (!fresh->ptr) return libvirtError("cannot open libvirt at " + uri_, ErrorCode::kUnavailable);
  conn_ = fresh;
  return conn_;
}

Status LibvirtHost::ping() {
  auto c = connection();
  return c ? Status{} : Status{c.error()};
}

Result<Json> LibvirtHost::facts() {
  auto c = connection();
  if (!c) return c.error();
  virNodeInfo info{};
  if (virNodeGetInfo((*c)->ptr, &info) < 0) return libvirtError("cannot read the host's facts");
  unsigned long lib = 0, hv = 0;
  virConnectGetLibVersion((*c)->ptr, &lib);
  virConnectGetVersion((*c)->ptr, &hv);
  char* hostname = virConnectGetHostname((*c)->ptr);
  std::string name = hostname ? hostname : "";
  free(hostname);
  return Json{{"cpuNum", info.cpus},
              {"cpuSockets", std::max(1u, info.sockets * info.nodes)},
              {"cpuSpeedMhz", info.mhz},
              {"totalMemoryBytes", static_cast<std::int64_t>(info.memory) * 1024},
              {"architecture", info.model},
              {"cpuModel", info.model},
              {"osDistribution", osRelease("ID")},
              {"osRelease", osRelease("VERSION_ID")},
              {"hostname", name},
              {"libvirtVersion", versionText(lib)},
              {"hypervisorVersion", versionText(hv)},
              {"libvirtUri", uri_},
              {"domainType", options_.domainType}};
}

Status LibvirtHost::start(const VmSpec& vm, bool paused) {
  auto c = connection();
  if (!c) return c.error();
  Domain existing(virDomainLookupByName((*c)->ptr, vm.uuid.c_str()));
  if (existing) {
    int s = powerState(existing.get());
    if (s == VIR_DOMAIN_RUNNING || s == VIR_DOMAIN_BLOCKED || s == VIR_DOMAIN_PAUSED) return {};
    // A stopped persistent definition (made outside Strato) would shadow ours.
    if (virDomainIsPersistent(existing.get()) == 1) virDomainUndefine(existing.get());
  }
  std::string xml = domainXml(vm, options_);
  Domain d(virDomainCreateXML((*c)->ptr, xml.c_str(), paused ? VIR_DOMAIN_START_PAUSED : 0));
  if (!d) return libvirtError("cannot start VM " + vm.uuid);
  return {};
}

Status LibvirtHost::stop(const VmSpec& vm, bool graceful, std::chrono::seconds gracePeriod) {
  auto c = connection();
  if (!c) return c.error();
  Domain d(virDomainLookupByName((*c)->ptr, vm.uuid.c_str()));
  if (!d) return {};
  if (graceful && powerState(d.get()) == VIR_DOMAIN_RUNNING) {
    if (virDomainShutdown(d.get()) == 0) {
      auto deadline = std::chrono::steady_clock::now() + gracePeriod;
      while (std::chrono::steady_clock::now() < deadline) {
        Domain still(virDomainLookupByName((*c)->ptr, vm.uuid.c_str()));
        if (!still || virDomainIsActive(still.get()) != 1) return {};
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
      }
    }
    // A guest that ignores ACPI is powered off, as ZStack does after its timeout.
  }
  if (virDomainIsActive(d.get()) == 1 && virDomainDestroy(d.get()) < 0) {
    Domain still(virDomainLookupByName((*c)->ptr, vm.uuid.c_str()));
    if (still && virDomainIsActive(still.get()) == 1) {
      return libvirtError("cannot stop VM " + vm.uuid);
    }
  }
  return {};
}

Status LibvirtHost::destroy(const VmSpec& vm) {
  if (auto st = stop(vm, false, std::chrono::seconds(0)); !st) return st;
  auto c = connection();
  if (!c) return c.error();
  Domain d(virDomainLookupByName((*c)->ptr, vm.uuid.c_str()));
  if (d && virDomainIsPersistent(d.get()) == 1 && virDomainUndefine(d.get()) < 0) {
    return libvirtError("cannot undefine VM " + vm.uuid);
  }
  return {};
}

template <class Op>
Status LibvirtHost::onGuest(const VmSpec& vm, const std::string& what, Op op) {
  auto c = connection();
  if (!c) return c.error();
  Domain d(virDomainLookupByName((*c)->ptr, vm.uuid.c_str()));
  if (!d) {
    return makeError(ErrorCode::kConflict, "cannot " + what + " VM " + vm.uuid,
                     "the guest is not running on this host");
  }
  if (op(d.get()) < 0) return libvirtError("cannot " + what + " VM " + vm.uuid);
  return {};
}

Status LibvirtHost::reboot(const VmSpec& vm) {
  return onGuest(vm, "reboot", [](virDomainPtr d) { return virDomainReboot(d, 0); });
}

Status LibvirtHost::pause(const VmSpec& vm) {
  return onGuest(vm, "pause", [](virDomainPtr d) {
    return powerState(d) == VIR_DOMAIN_PAUSED ? 0 : virDomainSuspend(d);
  });
}

Status LibvirtHost::resume(const VmSpec& vm) {
  return onGuest(vm, "resume", [](virDomainPtr d) {
    return powerState(d) == VIR_DOMAIN_PAUSED ? virDomainResume(d) : 0;
  });
}

Result<std::string> LibvirtHost::state(const std::string& vmUuid) {
  auto c = connection();
  if (!c) return c.error();
  Domain d(virDomainLookupByName((*c)->ptr, vmUuid.c_str()));
  return d ? stateName(powerState(d.get())) : std::string("Stopped");
}

Result<Json> LibvirtHost::states() {
  auto c = connection();
  if (!c) return c.error();
  virDomainPtr* list = nullptr;
  int n = virConnectListAllDomains((*c)->ptr, &list, 0);
  if (n < 0) return libvirtError("cannot list the host's guests");
  Json vms = Json::object();
  for (int i = 0; i < n; ++i) {
    Domain d(list[i]);
    const char* name = virDomainGetName(d.get());
    // Only Strato's guests: 32-hex names. The test driver's sample domain "test" is not one.
    if (name && std::regex_match(name, std::regex("[0-9a-f]{32}"))) {
      vms[name] = stateName(powerState(d.get()));
    }
  }
  free(list);
  return vms;
}

Status LibvirtHost::migrate(const VmSpec& vm, const std::string& destinationUri) {
  return onGuest(vm, "migrate", [&](virDomainPtr d) {
    unsigned long flags = VIR_MIGRATE_LIVE | VIR_MIGRATE_PEER2PEER | VIR_MIGRATE_UNDEFINE_SOURCE;
    return virDomainMigrateToURI3(d, destinationUri.c_str(), nullptr, 0, flags);
  });
}

Status LibvirtHost::attachDevice(const VmSpec& vm, const std::string& xml, bool attach) {
  return onGuest(vm, attach ? "hot-plug a device into" : "unplug a device from",
                 [&](virDomainPtr d) {
                   return attach ? virDomainAttachDeviceFlags(d, xml.c_str(), VIR_DOMAIN_AFFECT_LIVE)
                                 : virDomainDetachDeviceFlags(d, xml.c_str(), VIR_DOMAIN_AFFECT_LIVE);
                 });
}

Status LibvirtHost::updateDevice(const VmSpec& vm, const std::string& xml) {
  return onGuest(vm, "change a device of", [&](virDomainPtr d) {
    return virDomainUpdateDeviceFlags(d, xml.c_str(), VIR_DOMAIN_AFFECT_LIVE);
  });
}

Status LibvirtHost::setBandwidth(const VmSpec& vm, const VmNicSpec& nic) {
  return onGuest(vm, "limit a NIC of", [&](virDomainPtr d) {
    virTypedParameter params[2]{};
    int n = 0;
    // 0 lifts a limit; libvirt counts kilobytes per second.
    std::snprintf(params[n].field, VIR_TYPED_PARAM_FIELD_LENGTH, "%s",
                  VIR_DOMAIN_BANDWIDTH_IN_AVERAGE);
    params[n].type = VIR_TYPED_PARAM_UINT;
    params[n++].value.ui = static_cast<unsigned>(nic.inboundBandwidth / 8192);
    std::snprintf(params[n].field, VIR_TYPED_PARAM_FIELD_LENGTH, "%s",
                  VIR_DOMAIN_BANDWIDTH_OUT_AVERAGE);
    params[n].type = VIR_TYPED_PARAM_UINT;
    params[n++].value.ui = static_cast<unsigned>(nic.outboundBandwidth / 8192);
    return virDomainSetInterfaceParameters(d, nic.mac.c_str(), params, n, VIR_DOMAIN_AFFECT_LIVE);
  });
}

Status LibvirtHost::setUserPassword(const VmSpec& vm, const std::string& user,
                                    const std::string& password) {
  return onGuest(vm, "set a password in", [&](virDomainPtr d) {
    return virDomainSetUserPassword(d, user.c_str(), password.c_str(), 0);
  });
}

Result<ConsoleAddress> LibvirtHost::console(const VmSpec& vm, const std::string& hostIp) {
  auto c = connection();
  if (!c) return c.error();
  Domain d(virDomainLookupByName((*c)->ptr, vm.uuid.c_str()));
  if (!d) return makeError(ErrorCode::kConflict, "VM " + vm.uuid + " is not running on this host");
  char* xml = virDomainGetXMLDesc(d.get(), 0);
  if (!xml) return libvirtError("cannot read VM " + vm.uuid);
  std::string text = xml;
  free(xml);
  std::smatch m;
  if (!std::regex_search(text, m, std::regex("<graphics type='(vnc|spice)' port='(\\d+)'"))) {
    return makeError(ErrorCode::kUnavailable, "VM " + vm.uuid + " has no console port yet",
                     "libvirt assigned none (the test driver never does)");
  }
  return ConsoleAddress{hostIp, std::stoi(m[2]), m[1]};
}

}  // namespace strato::kvm
