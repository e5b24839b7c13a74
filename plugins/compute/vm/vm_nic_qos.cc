// SetNicQoS, GetNicQoS, DeleteNicQoS (3.1.25-27): a NIC's bandwidth limits, kept as tags on the
// NIC ("bandwidthIn::<bits/s>", "bandwidthOut::<bits/s>") and applied by the driver to a guest
// that runs; every VmSpec carries them for the next start. Runs in the NIC's VM's queue.
#include <algorithm>

#include "vm_service.h"

namespace strato::vm {
namespace {

constexpr const char* kIn = "bandwidthIn";
constexpr const char* kOut = "bandwidthOut";

struct NicOf {
  std::string vmUuid;
  std::pair<std::int64_t, std::int64_t> limits;
};

Result<NicOf> nicOf(Database& db, const std::string& nic) {
  auto rows = db.query("SELECT vmInstanceUuid FROM vm_nic WHERE uuid = ?", {nic});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return invalidArgument("uuid names no VM NIC", nic);
  auto limits = nicLimits(db, nic);
  if (!limits) return limits.error();
  return NicOf{dbText(rows->rows[0][0]), *limits};
}

Status store(Database& db, const std::string& nic, const char* key, std::int64_t bps) {
  if (bps <= 0) return removeSystemTags(db, nic, key);
  return setSystemTag(db, nic, "VmNicVO", key, std::to_string(bps));
}

}  // namespace

Result<std::pair<std::int64_t, std::int64_t>> nicLimits(Database& db, const std::string& nic) {
  std::pair<std::int64_t, std::int64_t> out{0, 0};
  auto rows = db.query("SELECT tag FROM system_tag WHERE resourceUuid = ?", {nic});
  if (!rows) return rows.error();
  for (const auto& r : rows->rows) {
    std::string tag = dbText(r[0]);
    for (auto [key, slot] : {std::pair{kIn, &out.first}, std::pair{kOut, &out.second}}) {
      std::string prefix = std::string(key) + "::";
      if (tag.rfind(prefix, 0) == 0) *slot = std::max<std::int64_t>(0, tagNumber(tag.substr(prefix.size()), 0));
    }
  }
  return out;
}

// The new limits are stored, then the running guest shaped; if it refuses, the old ones come back.
Reply VmService::changeNicQos(const Json& p, std::int64_t in, std::int64_t out) {
  std::string nic = textParam(p, "uuid");
  auto current = nicOf(db_, nic);
  if (!current) return current.error();
  for (auto [key, bps] : {std::pair{kIn, in}, std::pair{kOut, out}}) {
    if (bps < 0) continue;  // not changed
    if (auto s = store(db_, nic, key, bps); !s) return s.error();
  }
  auto vm = loadVm(db_, current->vmUuid);
  if (!vm) return vm.error();
  if (vm->hostUuid.empty() || (vm->state != "Running" && vm->state != "Paused")) return Json::object();
  auto driver = driverFor(vm->hypervisorType);
  auto spec = specOf(db_, *vm, vm->hostUuid);
  Status shaped = !driver ? Status(makeError(ErrorCode::kNotSupported, "no VM driver for " + vm->hypervisorType))
                          : !spec ? Status(spec.error()) : Status();
  if (shaped) {
    for (const auto& n : spec->nics)
      if (n.uuid == nic) shaped = driver->setNicQos(*spec, n);
  }
  if (!shaped) {
    (void)store(db_, nic, kIn, current->limits.first);
    (void)store(db_, nic, kOut, current->limits.second);
    return shaped.error();
  }
  return Json::object();
}

Reply VmService::setNicQos(const Json& p) {
  std::int64_t in = p.value("inboundBandwidth", std::int64_t{-1});
  std::int64_t out = p.value("outboundBandwidth", std::int64_t{-1});
  if (in < 0 && out < 0) return invalidArgument("give inboundBandwidth or outboundBandwidth");
  // Below 8 kbit/s no guest keeps a connection.
  for (auto bps : {in, out})
    if (bps >= 0 && bps < 8192) return invalidArgument("a bandwidth is at least 8192 bits per second", std::to_string(bps));
  return changeNicQos(p, in, out);
}

Reply VmService::deleteNicQos(const Json& p) {
  std::string direction = textParam(p, "direction");
  if (direction != "in" && direction != "out") return invalidArgument("direction must be in or out", direction);
  return changeNicQos(p, direction == "in" ? 0 : -1, direction == "out" ? 0 : -1);
}

Reply VmService::getNicQos(const Json& p) {
  auto current = nicOf(db_, textParam(p, "uuid"));
  if (!current) return current.error();
  Json out = Json::object();
  if (current->limits.first > 0) out["inboundBandwidth"] = current->limits.first;
  if (current->limits.second > 0) out["outboundBandwidth"] = current->limits.second;
  return out;
}

}  // namespace strato::vm
