#include "vm_spec_json.h"

namespace strato::kvm {
namespace {

// Reads j[key] into `out` when present; a value of another type is an error naming the key.
template <class T>
Status read(const Json& j, const char* key, T& out) {
  if (!j.contains(key) || j[key].is_null()) return {};
  try {
    out = j[key].get<T>();
  } catch (const Json::exception&) {
    return makeError(ErrorCode::kInvalidArgument, std::string("bad VM spec field '") + key + "'",
                     j[key].dump());
  }
  return {};
}

template <class T>
Status readAll(const Json& j, std::initializer_list<std::pair<const char*, T*>> fields) {
  for (auto [key, out] : fields) {
    if (auto st = read(j, key, *out); !st) return st;
  }
  return {};
}

}  // namespace

Json toJson(const VmNicSpec& n) {
  return Json{{"uuid", n.uuid},         {"l3NetworkUuid", n.l3NetworkUuid},
              {"mac", n.mac},           {"ip", n.ip},
              {"netmask", n.netmask},   {"gateway", n.gateway},
              {"deviceId", n.deviceId}, {"inboundBandwidth", n.inboundBandwidth},
              {"outboundBandwidth", n.outboundBandwidth}};
}

Json toJson(const VmVolumeSpec& v) {
  return Json{{"uuid", v.uuid},
              {"type", v.type},
              {"primaryStorageUuid", v.primaryStorageUuid},
              {"installPath", v.installPath},
              {"format", v.format},
              {"deviceId", v.deviceId},
              {"shareable", v.shareable}};
}

Json toJson(const VmSpec& vm) {
  Json nics = Json::array();
  for (const auto& n : vm.nics) nics.push_back(toJson(n));
  Json volumes = Json::array();
  for (const auto& v : vm.volumes) volumes.push_back(toJson(v));
  return Json{{"uuid", vm.uuid},
              {"name", vm.name},
              {"hostUuid", vm.hostUuid},
              {"hostManagementIp", vm.hostManagementIp},
              {"cpuNum", vm.cpuNum},
              {"memorySize", vm.memorySize},
              {"platform", vm.platform},
              {"nics", nics},
              {"volumes", volumes},
              {"extra", vm.extra}};
}

Result<VmNicSpec> nicFromJson(const Json& j) {
  VmNicSpec n;
  if (auto st = readAll<std::string>(j, {{"uuid", &n.uuid},
                                         {"l3NetworkUuid", &n.l3NetworkUuid},
                                         {"mac", &n.mac},
                                         {"ip", &n.ip},
                                         {"netmask", &n.netmask},
                                         {"gateway", &n.gateway}});
      !st)
    return st.error();
  if (auto st = read(j, "deviceId", n.deviceId); !st) return st.error();
  if (auto st = readAll<std::int64_t>(j, {{"inboundBandwidth", &n.inboundBandwidth},
                                          {"outboundBandwidth", &n.outboundBandwidth}});
      !st)
    return st.error();
  return n;
}

Result<VmVolumeSpec> volumeFromJson(const Json& j) {
  VmVolumeSpec v;
  if (auto st = readAll<std::string>(j, {{"uuid", &v.uuid},
                                         {"type", &v.type},
                                         {"primaryStorageUuid", &v.primaryStorageUuid},
                                         {"installPath", &v.installPath},
                                         {"format", &v.format}});
      !st)
    return st.error();
  if (auto st = read(j, "deviceId", v.deviceId); !st) return st.error();
  if (auto st = read(j, "shareable", v.shareable); !st) return st.error();
  return v;
}

Result<VmSpec> vmFromJson(const Json& j) {
  if (!j.is_object()) return makeError(ErrorCode::kInvalidArgument, "a VM spec must be an object");
  VmSpec vm;
  if (auto st = readAll<std::string>(j, {{"uuid", &vm.uuid},
                                         {"name", &vm.name},
                                         {"hostUuid", &vm.hostUuid},
                                         {"hostManagementIp", &vm.hostManagementIp},
                                         {"platform", &vm.platform}});
      !st)
    return st.error();
  if (auto st = readAll<std::int64_t>(j, {{"cpuNum", &vm.cpuNum}, {"memorySize", &vm.memorySize}});
      !st)
    return st.error();
  if (vm.uuid.empty()) return makeError(ErrorCode::kInvalidArgument, "a VM spec needs a uuid");
  for (const auto& n : j.value("nics", Json::array())) {
    auto nic = nicFromJson(n);
    if (!nic) return nic.error();
    vm.nics.push_back(std::move(*nic));
  }
  for (const auto& v : j.value("volumes", Json::array())) {
    auto volume = volumeFromJson(v);
    if (!volume) return volume.error();
    vm.volumes.push_back(std::move(*volume));
  }
  if (j.contains("extra") && j["extra"].is_object()) vm.extra = j["extra"];
  return vm;
}

}  // namespace strato::kvm
