#include "guest_commands.h"

#include <algorithm>

#include "agent_client/agent_client.h"
#include "agent_client/kvm_protocol.h"
#include "vm_spec_json.h"

namespace strato::kvm {
namespace {

using Work = std::function<Reply(const Message&)>;

Reply empty(Status st) { return st ? Reply(Json::object()) : Reply(st.error()); }

template <class T>
Result<T> field(const Message& m, const char* key, Result<T> (*parse)(const Json&)) {
  if (!m.body.contains(key)) {
    return makeError(ErrorCode::kInvalidArgument, m.type + " needs '" + key + "'");
  }
  return parse(m.body[key]);
}

// A command on one guest: parses "vm" and runs `op` with it.
Work onVm(std::function<Reply(const VmSpec&, const Message&)> op) {
  return [op = std::move(op)](const Message& m) -> Reply {
    auto vm = field<VmSpec>(m, "vm", vmFromJson);
    if (!vm) return vm.error();
    return op(*vm, m);
  };
}

// The destination's half of a migration, for libvirt drivers without migration: the guest is
// started there from the same spec, then the source's copy goes.
Status migrateByRestart(LibvirtHost& host, const VmSpec& vm, const Message& m) {
  auto state = host.state(vm.uuid);
  if (!state) return state.error();
  if (*state == "Stopped") {
    return makeError(ErrorCode::kConflict, "VM " + vm.uuid + " is not running on this host");
  }
  agent::Address to{m.body.value("toHost", ""), m.body.value("toPort", 0)};
  Message receive{std::string(kReceiveVm), vm.uuid,
                  Json{{"vm", toJson(vm)}, {"paused", *state == "Paused"}}};
  auto received = agent::call(to, receive, std::chrono::minutes(5));
  if (!received) return received.error();
  return host.destroy(vm);
}

// What the flat Userdata service tells the guest: extra.userdata is the userdata:: tag's base64.
Result<GuestMetadata> metadataOf(const VmSpec& vm) {
  GuestMetadata m{vm.uuid,
                  vm.extra.value("hostname", std::string()),
                  vm.extra.value("sshKey", std::string()),
                  {}};
  auto userdata = decodeBase64(vm.extra.value("userdata", std::string()));
  if (!userdata) {
    return makeError(ErrorCode::kInvalidArgument,
                     "the userdata of VM " + vm.uuid + " is not base64");
  }
  m.userdata = std::move(*userdata);
  return m;
}

// extra.dhcp: {l3 uuid: the network as DhcpNetwork reads it}. `only`: one NIC's uuid, or all.
Status serveDhcp(DhcpServers& dhcp, const VmSpec& vm, const std::string& only = {}) {
  const Json& networks = vm.extra.value("dhcp", Json::object());
  std::optional<GuestMetadata> metadata;  // read once, for the first network with userdata
  for (const auto& [l3, body] : networks.items()) {
    Json withUuid = body;
    withUuid["l3Uuid"] = l3;
    auto network = dhcpNetworkFromJson(withUuid);
    if (!network) return network.error();
    std::vector<DhcpLease> leases;
    for (const auto& n : vm.nics) {
      if (n.l3NetworkUuid != l3 || n.ip.empty() || (!only.empty() && n.uuid != only)) continue;
      leases.push_back({n.mac, n.ip, vm.extra.value("hostname", std::string()), {}});
      if (!network->userdata) continue;
      if (!metadata) {
        auto read = metadataOf(vm);
        if (!read) return read.error();
        metadata = std::move(*read);
      }
      leases.back().metadata = *metadata;
    }
    if (leases.empty()) continue;
    if (auto served = dhcp.serve(*network, leases); !served) return served.error();
  }
  return {};
}

// What cannot be released stays served: a lease too many, not a guest without an address.
void releaseDhcp(DhcpServers& dhcp, Logger& logger, const VmSpec& vm,
                 const std::string& only = {}) {
  for (const auto& n : vm.nics) {
    if (!only.empty() && n.uuid != only) continue;
    if (auto st = dhcp.release(n.l3NetworkUuid, {n.mac}); !st) {
      logger.warn("dhcp.release.failed vm=" + vm.uuid + " mac=" + n.mac +
                  " error=" + st.error().describe());
    }
  }
}

}  // namespace

void registerGuestCommands(Registrar& r, std::shared_ptr<LibvirtHost> host,
                           std::shared_ptr<DhcpServers> dhcp, GuestSettings settings,
                           std::function<RequestHandler(Work)> asTask,
                           std::function<void(const std::string&)> settled) {
  auto& h = *host;
  auto add = [&](std::string_view type, Work work) {
    // The host and dhcp shared_ptrs ride along with every handler, so they live as long as the
    // handlers, which reach them by reference.
    r.handle(std::string(type),
             asTask([host, dhcp, settled, work = std::move(work)](const Message& m) {
               Reply reply = work(m);
               // A manager's command carries a task uuid; what it did to the guest, it knows.
               const Json& vm = m.body.value("vm", Json());
               if (m.body.contains("taskUuid") && vm.is_object() && vm.contains("uuid") &&
                   vm["uuid"].is_string()) {
                 settled(vm["uuid"]);
               }
               return reply;
             }));
  };
  auto& d = *dhcp;
  auto& log = r.logger();
  // Leases first, so the guest's first DHCP request finds its address.
  auto startWithDhcp = [&d, &log](const VmSpec& vm, const std::function<Status()>& start) {
    if (auto st = serveDhcp(d, vm); !st) return empty(st);
    Status started = start();
    if (!started) releaseDhcp(d, log, vm);
    return empty(started);
  };
  // The guest left this host: its leases go.
  auto thenRelease = [&d, &log](const VmSpec& vm, Status done) {
    if (done) releaseDhcp(d, log, vm);
    return empty(done);
  };
  add(kStartVm, onVm([&h, startWithDhcp](const VmSpec& vm, const Message&) {
        return startWithDhcp(vm, [&] { return h.start(vm); });
      }));
  add(kReceiveVm, onVm([&h, startWithDhcp](const VmSpec& vm, const Message& m) {
        return startWithDhcp(vm, [&] { return h.start(vm, m.body.value("paused", false)); });
      }));
  add(kServeDhcp, onVm([&d](const VmSpec& vm, const Message&) { return empty(serveDhcp(d, vm)); }));
  add(kRemoveDhcpNetwork,
      [&d](const Message& m) -> Reply { return d.remove(m.body.value("l3Uuid", std::string())); });
  add(kStopVm, onVm([&h, settings, thenRelease](const VmSpec& vm, const Message& m) {
        return thenRelease(vm, h.stop(vm, m.body.value("graceful", true), settings.stopGrace));
      }));
  add(kRebootVm, onVm([&h](const VmSpec& vm, const Message&) { return empty(h.reboot(vm)); }));
  add(kPauseVm, onVm([&h](const VmSpec& vm, const Message&) { return empty(h.pause(vm)); }));
  add(kResumeVm, onVm([&h](const VmSpec& vm, const Message&) { return empty(h.resume(vm)); }));
  add(kDestroyVm, onVm([&h, thenRelease](const VmSpec& vm, const Message&) {
        return thenRelease(vm, h.destroy(vm));
      }));
  add(kMigrateVm, onVm([&h, thenRelease](const VmSpec& vm, const Message& m) {
        if (h.isTestDriver()) return thenRelease(vm, migrateByRestart(h, vm, m));
        return thenRelease(vm,
                           h.migrate(vm, "qemu+tcp://" + m.body.value("toHost", "") + "/system"));
      }));
  auto device = [&](std::string_view type, auto parse, const char* key, auto toXml, bool attach) {
    add(type, onVm([&h, parse, key, toXml, attach](const VmSpec& vm, const Message& m) -> Reply {
          auto d = field(m, key, parse);
          if (!d) return d.error();
          return empty(h.attachDevice(vm, toXml(vm, *d), attach));
        }));
  };
  auto disk = [](const VmSpec&, const VmVolumeSpec& v) { return diskXml(v); };
  device(kAttachVolume, volumeFromJson, "volume", disk, true);
  device(kDetachVolume, volumeFromJson, "volume", disk, false);
  // A NIC's lease is there before the NIC and goes after it.
  for (bool attach : {true, false}) {
    add(attach ? kAttachNic : kDetachNic,
        onVm([&h, &d, &log, attach](const VmSpec& vm, const Message& m) -> Reply {
          auto nic = field(m, "nic", nicFromJson);
          if (!nic) return nic.error();
          VmSpec withNic = vm;
          if (std::none_of(vm.nics.begin(), vm.nics.end(),
                           [&](const VmNicSpec& n) { return n.uuid == nic->uuid; })) {
            withNic.nics.push_back(*nic);
          }
          if (attach) {
            if (auto st = serveDhcp(d, withNic, nic->uuid); !st) return empty(st);
          }
          Status done = h.attachDevice(vm, interfaceXml(*nic, bridgeOf(vm, *nic)), attach);
          if (static_cast<bool>(done) != attach) releaseDhcp(d, log, withNic, nic->uuid);
          return empty(done);
        }));
  }
  add(kSetNicQos, onVm([&h](const VmSpec& vm, const Message& m) -> Reply {
        auto nic = field(m, "nic", nicFromJson);
        if (!nic) return nic.error();
        return empty(h.setBandwidth(vm, *nic));
      }));
  // Inserting and ejecting both replace the CD-ROM: the spec says what it holds now.
  add(kInsertIso, onVm([&h](const VmSpec& vm, const Message&) {
        return empty(h.updateDevice(vm, cdromXml(vm)));
      }));
  add(kEjectIso, onVm([&h](const VmSpec& vm, const Message&) {
        VmSpec emptied = vm;
        emptied.extra.erase("iso");
        return empty(h.updateDevice(vm, cdromXml(emptied)));
      }));
  add(kChangePassword, onVm([&h](const VmSpec& vm, const Message& m) {
        return empty(
            h.setUserPassword(vm, m.body.value("user", "root"), m.body.value("password", "")));
      }));
  add(kConsoleAddress, onVm([&h, settings](const VmSpec& vm, const Message&) -> Reply {
        auto c = h.console(vm, settings.advertisedIp);
        if (!c) return c.error();
        return Json{{"hostIp", c->hostIp}, {"port", c->port}, {"protocol", c->protocol}};
      }));
  add(kVmState, onVm([&h](const VmSpec& vm, const Message&) -> Reply {
        auto state = h.state(vm.uuid);
        if (!state) return state.error();
        return Json{{"state", *state}};
      }));
  add(kVmStates, [&h](const Message&) -> Reply {
    auto vms = h.states();
    if (!vms) return vms.error();
    return Json{{"vms", *vms}};
  });
}

}  // namespace strato::kvm
