#include "kvm_drivers.h"

#include "vm_spec_json.h"

namespace strato::kvm {

Result<HostFacts> KvmHostDriver::connect(const HostSpec& host) {
  if (auto st = agents_->prepare(host); !st) return st.error();
  auto facts = agents_->call(host.managementIp, kFacts, agents_->managedBy(host.uuid));
  if (!facts) return facts.error();
  const Json& f = *facts;
  HostFacts out;
  out.cpuNum = f.value("cpuNum", std::int64_t{0});
  out.cpuSockets = f.value("cpuSockets", std::int64_t{1});
  out.cpuSpeedMhz = f.value("cpuSpeedMhz", std::int64_t{0});
  out.totalMemoryBytes = f.value("totalMemoryBytes", std::int64_t{0});
  out.architecture = f.value("architecture", std::string("x86_64"));
  out.osDistribution = f.value("osDistribution", std::string());
  out.osRelease = f.value("osRelease", std::string());
  out.extra = f;
  if (out.cpuNum <= 0 || out.totalMemoryBytes <= 0) {
    return makeError(ErrorCode::kInternal,
                     "the agent on " + host.managementIp + " reported no CPUs or memory", f.dump());
  }
  return out;
}

Status KvmHostDriver::ping(const HostSpec& host) {
  auto pong = agents_->ping(host.managementIp, agents_->managedBy(host.uuid));
  return pong ? Status{} : Status{pong.error()};
}

Status KvmVmDriver::addNetworks(const VmSpec& vm, Json& spec) const {
  Json bridges = Json::object();
  Json dhcp = Json::object();
  if (!vm.nics.empty()) {
    std::vector<DbValue> l3s;
    Json l3List = Json::array();
    for (const auto& n : vm.nics) {
      l3s.emplace_back(n.l3NetworkUuid);
      l3List.push_back(n.l3NetworkUuid);
    }
    // The networks' rows belong to the l2 and l3 plugins; which bridge a NIC joins is a KVM
    // matter, decided here from them.
    auto rows = db_.query(
        "SELECT l3.uuid, l2.type, l2.physicalInterface, l2.vlan, l2.vni FROM l3_network l3 "
        "JOIN l2_network l2 ON l2.uuid = l3.l2NetworkUuid WHERE l3.uuid IN (" +
            sqlPlaceholders(l3s.size()) + ")",
        l3s);
    if (!rows) return rows.error();
    auto served = call(
        bus_, Message{std::string(kFlatDhcpNetworksMessage), "", Json{{"l3NetworkUuids", l3List}}},
        std::chrono::seconds(30));
    if (!served) return served.error();
    const Json& flat = served->value("networks", Json::object());
    for (const auto& r : rows->rows) {
      std::string l3 = dbText(r[0]);
      Json l2{{"type", dbText(r[1])},
              {"physicalInterface", dbText(r[2])},
              {"vlan", dbInt(r[3])},
              {"vni", dbInt(r[4])}};
      for (const auto& n : vm.nics) {
        if (n.l3NetworkUuid == l3)
          bridges[n.uuid] = l2Bridge(dbText(r[1]), dbText(r[2]), dbInt(r[3]), dbInt(r[4]));
      }
      if (flat.contains(l3)) {
        dhcp[l3] = flat[l3];
        dhcp[l3]["l2"] = std::move(l2);
      }
    }
  }
  spec["extra"]["nicBridges"] = std::move(bridges);
  spec["extra"]["dhcp"] = std::move(dhcp);
  return {};
}

Result<Json> KvmVmDriver::specFor(const VmSpec& vm, std::string_view type) const {
  if (vm.hostManagementIp.empty()) {
    return makeError(ErrorCode::kConflict, "VM " + vm.uuid + " is on no host");
  }
  Json spec = toJson(vm);
  // Only commands that put NICs into a domain need their bridges: spare the others the query.
  if (type == kStartVm || type == kMigrateVm || type == kAttachNic || type == kDetachNic) {
    if (auto st = addNetworks(vm, spec); !st) return st.error();
  }
  return spec;
}

Reply KvmVmDriver::ask(const VmSpec& vm, std::string_view type, Json extra) const {
  auto spec = specFor(vm, type);
  if (!spec) return spec.error();
  extra["vm"] = std::move(*spec);
  // Queued per guest on the agent, as on the management node; a task of the manager's.
  return agents_->call(vm.hostManagementIp, type, std::move(extra), vm.uuid);
}

Status KvmVmDriver::send(const VmSpec& vm, std::string_view type, Json extra) const {
  auto reply = ask(vm, type, std::move(extra));
  return reply ? Status{} : Status{reply.error()};
}

Status KvmVmDriver::stop(const VmSpec& vm, bool graceful) {
  return send(vm, kStopVm, Json{{"graceful", graceful}});
}

Status KvmVmDriver::migrate(const VmSpec& vm, const std::string&,
                            const std::string& toManagementIp) {
  auto spec = specFor(vm, kMigrateVm);
  if (!spec) return spec.error();
  // The destination serves the guest's leases before it arrives (a native migration tells the
  // destination's agent nothing); the source gives them up once it has gone.
  if (!(*spec)["extra"]["dhcp"].empty()) {
    auto served = agents_->call(toManagementIp, kServeDhcp, Json{{"vm", *spec}}, vm.uuid);
    if (!served) return served.error();
  }
  auto to = agents_->address(toManagementIp);
  auto moved = agents_->call(
      vm.hostManagementIp, kMigrateVm,
      Json{{"vm", std::move(*spec)}, {"toHost", to.host}, {"toPort", to.port}}, vm.uuid);
  return moved ? Status{} : Status{moved.error()};
}

Status KvmVmDriver::attachVolume(const VmSpec& vm, const VmVolumeSpec& volume) {
  return send(vm, kAttachVolume, Json{{"volume", toJson(volume)}});
}

Status KvmVmDriver::detachVolume(const VmSpec& vm, const VmVolumeSpec& volume) {
  return send(vm, kDetachVolume, Json{{"volume", toJson(volume)}});
}

Status KvmVmDriver::attachNic(const VmSpec& vm, const VmNicSpec& nic) {
  return send(vm, kAttachNic, Json{{"nic", toJson(nic)}});
}

Status KvmVmDriver::detachNic(const VmSpec& vm, const VmNicSpec& nic) {
  return send(vm, kDetachNic, Json{{"nic", toJson(nic)}});
}

Status KvmVmDriver::setNicQos(const VmSpec& vm, const VmNicSpec& nic) {
  return send(vm, kSetNicQos, Json{{"nic", toJson(nic)}});
}

Status KvmVmDriver::changePassword(const VmSpec& vm, const std::string& user,
                                   const std::string& password) {
  return send(vm, kChangePassword, Json{{"user", user}, {"password", password}});
}

Result<ConsoleAddress> KvmVmDriver::consoleAddress(const VmSpec& vm) {
  auto reply = ask(vm, kConsoleAddress);
  if (!reply) return reply.error();
  return ConsoleAddress{reply->value("hostIp", vm.hostManagementIp), reply->value("port", 0),
                        reply->value("protocol", std::string("vnc"))};
}

Result<std::string> KvmVmDriver::powerState(const VmSpec& vm) {
  auto reply = ask(vm, kVmState);
  if (!reply) return reply.error();
  return reply->value("state", std::string("Stopped"));
}

}  // namespace strato::kvm
