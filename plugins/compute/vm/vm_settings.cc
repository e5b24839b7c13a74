#include "vm_settings.h"

#include <map>
#include <regex>
#include <set>

#include "vm_async.h"
#include "vm_steps.h"

namespace strato::vm {
namespace {

constexpr const char* kResourceType = "VmInstanceVO";
// ZStack's tag names.
constexpr const char* kSshKey = "sshkey";
constexpr const char* kConsolePassword = "consolePassword";
constexpr const char* kHostname = "hostname";
constexpr const char* kBootOrder = "bootOrder";
// Base64 of what the flat Userdata service gives the guest (section 3.1.1's notes).
constexpr const char* kUserdata = "userdata";
// Display and guest agent settings the KVM domain is built with.
constexpr const char* kQga = "qga";
constexpr const char* kRdp = "RDP";
constexpr const char* kMonitors = "monitorNumber";

Result<VmRecord> vmOf(VmService& s, const Json& p) { return loadVm(s.db(), textParam(p, "uuid")); }

Reply vmReply(const VmRecord& vm) { return Json{{"uuid", vm.uuid}}; }

// Get<Setting>: {"<field>": value}, or {} when it is not set.
Reply getTag(VmService& s, const Json& p, const char* key, const char* field) {
  auto vm = vmOf(s, p);
  if (!vm) return vm.error();
  auto value = systemTagValue(s.db(), vm->uuid, key);
  if (!value) return value.error();
  if (!*value) return Json::object();
  return Json{{field, **value}};
}

Reply setTag(VmService& s, const VmRecord& vm, const char* key, const std::string& value) {
  if (auto set = setSystemTag(s.db(), vm.uuid, kResourceType, key, value); !set) return set.error();
  return vmReply(vm);
}

Reply deleteTag(VmService& s, const Json& p, const char* key) {
  auto vm = vmOf(s, p);
  if (!vm) return vm.error();
  if (auto gone = removeSystemTags(s.db(), vm->uuid, key); !gone) return gone.error();
  return vmReply(*vm);
}

Reply setSshKey(VmService& s, const Json& p) {
  // The manual spells the parameter SshKey; ZStack's SDK sshKey.
  std::string key = textParam(p, "SshKey", textParam(p, "sshKey"));
  static const std::regex kPublicKey(
      R"(^(ssh-[a-z0-9]+|ecdsa-sha2-nistp(256|384|521)|sk-[a-z0-9@.-]+) [A-Za-z0-9+/]+=*( [^\r\n]*)?$)");
  if (!std::regex_match(key, kPublicKey))
    return invalidArgument("SshKey must be one OpenSSH public key line (\"ssh-ed25519 AAAA... comment\")");
  auto vm = vmOf(s, p);
  if (!vm) return vm.error();
  return setTag(s, *vm, kSshKey, key);
}

Reply setConsolePassword(VmService& s, const Json& p) {
  std::string password = textParam(p, "consolePassword");
  if (password.size() < 6 || password.size() > 64 ||
      password.find_first_of(" \t\r\n") != std::string::npos)
    return invalidArgument("consolePassword must be 6 to 64 characters without blanks");
  auto vm = vmOf(s, p);
  if (!vm) return vm.error();
  return setTag(s, *vm, kConsolePassword, password);
}

// RFC 1123, and unique among the VMs that share an L3 network with this one (their DNS names
// would clash).
Reply setHostname(VmService& s, const Json& p) {
  std::string name = textParam(p, "hostname");
  static const std::regex kHostnameSyntax(
      R"(^(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$)");
  if (!std::regex_match(name, kHostnameSyntax))
    return invalidArgument("hostname must be letters, digits and '-' in dot-separated labels (RFC 1123)",
                           name);
  auto vm = vmOf(s, p);
  if (!vm) return vm.error();
  auto clash = s.db().query(
      "SELECT DISTINCT t.resourceUuid FROM system_tag t JOIN vm_nic theirs ON "
      "theirs.vmInstanceUuid = t.resourceUuid JOIN vm_nic mine ON mine.l3NetworkUuid = "
      "theirs.l3NetworkUuid AND mine.vmInstanceUuid = ? WHERE t.tag = ? AND t.resourceUuid <> ?",
      {vm->uuid, std::string(kHostname) + "::" + name, vm->uuid});
  if (!clash) return clash.error();
  if (!clash->rows.empty())
    return conflict("hostname " + name + " is taken on a network of VM " + vm->uuid,
                    "by VM " + dbText(clash->rows[0][0]));
  if (auto set = setTag(s, *vm, kHostname, name); !set) return set.error();
  return Json::object();
}

const std::set<std::string> kBootDevices{"HardDisk", "CdRom", "Network"};

Reply setBootOrder(VmService& s, const Json& p) {
  auto vm = vmOf(s, p);
  if (!vm) return vm.error();
  std::vector<std::string> order;
  if (p.contains("bootOrder") && !p["bootOrder"].is_null()) {
    if (!p["bootOrder"].is_array()) return invalidArgument("bootOrder must be a list");
    for (const auto& d : p["bootOrder"]) {
      if (!d.is_string() || !kBootDevices.count(d.get<std::string>()))
        return invalidArgument("bootOrder may hold HardDisk, CdRom and Network", d.dump());
      if (std::find(order.begin(), order.end(), d.get<std::string>()) != order.end())
        return invalidArgument("bootOrder names " + d.get<std::string>() + " twice");
      order.push_back(d);
    }
  }
  // No order given: back to the hypervisor's default.
  if (order.empty()) return deleteTag(s, p, kBootOrder);
  std::string joined;
  for (const auto& d : order) joined += (joined.empty() ? "" : ",") + d;
  return setTag(s, *vm, kBootOrder, joined);
}

std::vector<std::string> splitCommas(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

Reply getBootOrder(VmService& s, const Json& p) {
  auto vm = vmOf(s, p);
  if (!vm) return vm.error();
  auto value = systemTagValue(s.db(), vm->uuid, kBootOrder);
  if (!value) return value.error();
  // Without an order the guest boots from its root disk (no ISO can be attached yet).
  return Json{{"order", *value ? splitCommas(**value) : std::vector<std::string>{"HardDisk"}}};
}

Reply deleteStaticIp(VmService& s, const Json& p) {
  auto vm = loadVm(s.db(), textParam(p, "vmInstanceUuid"));
  if (!vm) return vm.error();
  std::string l3 = textParam(p, "l3NetworkUuid");
  if (auto gone = removeSystemTags(s.db(), vm->uuid, "staticIp::" + l3); !gone) return gone.error();
  return vmReply(*vm);
}

// Set<Flag>: {"enable": bool} stored as "<key>::true|false".
Reply setFlag(VmService& s, const Json& p, const char* key) {
  if (!p.contains("enable") || !p["enable"].is_boolean()) return invalidArgument("enable must be true or false");
  auto vm = vmOf(s, p);
  if (!vm) return vm.error();
  if (auto set = setTag(s, *vm, key, p["enable"].get<bool>() ? "true" : "false"); !set) return set.error();
  return Json::object();
}

Result<bool> flagOf(Database& db, const std::string& vm, const char* key) {
  auto value = systemTagValue(db, vm, key);
  if (!value) return value.error();
  return *value && **value == "true";
}

Reply getFlag(VmService& s, const Json& p, const char* key, bool withUuid) {
  auto vm = vmOf(s, p);
  if (!vm) return vm.error();
  auto on = flagOf(s.db(), vm->uuid, key);
  if (!on) return on.error();
  Json out{{"enable", *on}};
  if (withUuid) out["uuid"] = vm->uuid;
  return out;
}

// HA level, ZStack's "ha::<level>" tag. NeverStop starts again a guest that stopped by itself
// (vm_tracking.cc); both levels start the VMs of a host found down elsewhere (vm_ha.cc).
Reply setHaLevel(VmService& s, const Json& p) {
  std::string level = textParam(p, "level");
  if (level != std::string(kNeverStop) && level != std::string(kOnHostFailure))
    return invalidArgument("level must be NeverStop or OnHostFailure", level);
  auto vm = vmOf(s, p);
  if (!vm) return vm.error();
  if (auto set = setTag(s, *vm, kHaLevelTag, level); !set) return set.error();
  return Json::object();
}

// One display unless set (QXL drives at most 4).
Result<std::int64_t> monitorsOf(Database& db, const std::string& vm) {
  auto value = systemTagValue(db, vm, kMonitors);
  if (!value) return value.error();
  return *value ? tagNumber(**value, 1) : 1;
}

Reply setMonitors(VmService& s, const Json& p) {
  std::int64_t n = p.contains("monitorNumber") && p["monitorNumber"].is_number()
                       ? static_cast<std::int64_t>(p["monitorNumber"].get<double>())
                       : 0;
  if (n < 1 || n > 4) return invalidArgument("monitorNumber must be 1 to 4");
  auto vm = vmOf(s, p);
  if (!vm) return vm.error();
  if (auto set = setTag(s, *vm, kMonitors, std::to_string(n)); !set) return set.error();
  return Json::object();
}

Reply getMonitors(VmService& s, const Json& p) {
  auto vm = vmOf(s, p);
  if (!vm) return vm.error();
  auto n = monitorsOf(s.db(), vm->uuid);
  if (!n) return n.error();
  return Json{{"monitorNumber", *n}};
}

// The VM's guest, through its driver: it must be in one of `states`.
Result<std::pair<std::shared_ptr<VmDriver>, VmSpec>> guestOf(VmService& s, const Json& p,
                                                              std::set<std::string> states,
                                                              const std::string& what) {
  auto vm = vmOf(s, p);
  if (!vm) return vm.error();
  if (!states.count(vm->state) || vm->hostUuid.empty())
    return conflict("cannot " + what + " of VM " + vm->uuid + " in state " + vm->state);
  auto driver = s.driverFor(vm->hypervisorType);
  if (!driver) return makeError(ErrorCode::kNotSupported, "no VM driver for " + vm->hypervisorType);
  auto spec = specOf(s.db(), *vm, vm->hostUuid);
  if (!spec) return spec.error();
  return std::make_pair(driver, std::move(*spec));
}

Reply changePassword(VmService& s, const Json& p) {
  std::string user = textParam(p, "account");
  std::string password = textParam(p, "password");
  if (user.empty() || user.find_first_of(" :\t\r\n") != std::string::npos)
    return invalidArgument("account must name a guest user", user);
  if (password.empty() || password.size() > 255 || password.find_first_of("\r\n") != std::string::npos)
    return invalidArgument("password must be 1 to 255 characters on one line");
  auto guest = guestOf(s, p, {"Running"}, "change a password");
  if (!guest) return guest.error();
  if (auto changed = guest->first->changePassword(guest->second, user, password); !changed)
    return changed.error();
  return Json::object();
}

Reply consoleAddress(VmService& s, const Json& p) {
  auto guest = guestOf(s, p, {"Running", "Paused"}, "reach the console");
  if (!guest) return guest.error();
  auto address = guest->first->consoleAddress(guest->second);
  if (!address) return address.error();
  return Json{{"hostIp", address->hostIp}, {"port", address->port}, {"protocol", address->protocol}};
}

}  // namespace

// Read with one query: every VM start builds a spec, and 1,000 VMs start at once.
Result<Json> vmSettings(Database& db, const std::string& vmUuid,
                        const std::vector<std::string>& pendingTags) {
  auto rows = db.query("SELECT tag FROM system_tag WHERE resourceUuid = ? ORDER BY createDate", {vmUuid});
  if (!rows) return rows.error();
  std::vector<std::string> tags;
  for (const auto& r : rows->rows) tags.push_back(dbText(r[0]));
  tags.insert(tags.end(), pendingTags.begin(), pendingTags.end());
  std::map<std::string, std::string> values;  // the first tag of each key
  for (const auto& tag : tags) {
    for (const char* key : {kSshKey, kConsolePassword, kHostname, kBootOrder, kQga, kRdp, kMonitors,
                            kIsoTag, kUserdata}) {
      std::string prefix = std::string(key) + "::";
      if (tag.rfind(prefix, 0) == 0) values.emplace(key, tag.substr(prefix.size()));
    }
  }
  auto value = [&](const char* key) -> const std::string* {
    auto it = values.find(key);
    return it == values.end() ? nullptr : &it->second;
  };
  Json extra = Json::object();
  for (auto [key, field] : {std::pair{kSshKey, "sshKey"},
                            {kConsolePassword, "consolePassword"},
                            {kHostname, "hostname"},
                            {kUserdata, "userdata"}}) {
    if (auto v = value(key)) extra[field] = *v;
  }
  if (auto v = value(kBootOrder)) extra["bootOrder"] = splitCommas(*v);
  extra["qga"] = value(kQga) && *value(kQga) == "true";
  extra["rdp"] = value(kRdp) && *value(kRdp) == "true";
  extra["monitorNumber"] = value(kMonitors) ? tagNumber(*value(kMonitors), 1) : 1;
  if (auto iso = value(kIsoTag)) {
    auto copy = db.query(
        "SELECT backupStorageUuid, installPath FROM image_backup_storage_ref WHERE imageUuid = ? "
        "AND status = 'Ready' ORDER BY createDate",
        {*iso});
    if (!copy) return copy.error();
    Json cd{{"uuid", *iso}};
    if (!copy->rows.empty()) {
      cd["backupStorageUuid"] = dbText(copy->rows[0][0]);
      cd["installPath"] = dbText(copy->rows[0][1]);
    }
    extra["iso"] = std::move(cd);
  }
  return extra;
}

const std::vector<SettingApi>& settingApis() {
  static const std::vector<SettingApi> apis{
      {"SetVmSshKey", true, setSshKey},
      {"GetVmSshKey", false, [](VmService& s, const Json& p) { return getTag(s, p, kSshKey, "sshKey"); }},
      {"DeleteVmSshKey", true, [](VmService& s, const Json& p) { return deleteTag(s, p, kSshKey); }},
      {"ChangeVmPassword", false, changePassword},
      {"SetVmConsolePassword", true, setConsolePassword},
      {"GetVmConsolePassword", false,
       [](VmService& s, const Json& p) { return getTag(s, p, kConsolePassword, "consolePassword"); }},
      {"DeleteVmConsolePassword", true,
       [](VmService& s, const Json& p) { return deleteTag(s, p, kConsolePassword); }},
      {"GetVmConsoleAddress", false, consoleAddress},
      {"SetVmHostname", false, setHostname},
      {"GetVmHostname", false, [](VmService& s, const Json& p) { return getTag(s, p, kHostname, "hostname"); }},
      {"DeleteVmHostname", false,
       [](VmService& s, const Json& p) -> Reply {
         auto gone = deleteTag(s, p, kHostname);
         if (!gone) return gone;
         return Json::object();
       }},
      {"GetVmBootOrder", false, getBootOrder},
      {"SetVmBootOrder", true, setBootOrder},
      {"DeleteVmStaticIp", true, deleteStaticIp},
      {"SetVmQga", false, [](VmService& s, const Json& p) { return setFlag(s, p, kQga); }},
      {"GetVmQga", false, [](VmService& s, const Json& p) { return getFlag(s, p, kQga, true); }},
      {"SetVmRDP", false, [](VmService& s, const Json& p) { return setFlag(s, p, kRdp); }},
      {"GetVmRDP", false, [](VmService& s, const Json& p) { return getFlag(s, p, kRdp, false); }},
      {"SetVmMonitorNumber", false, setMonitors},
      {"SetVmInstanceHaLevel", false, setHaLevel},
      {"GetVmInstanceHaLevel", false,
       [](VmService& s, const Json& p) { return getTag(s, p, kHaLevelTag, "level"); }},
      {"DeleteVmInstanceHaLevel", false,
       [](VmService& s, const Json& p) -> Reply {
         auto gone = deleteTag(s, p, kHaLevelTag);
         if (!gone) return gone;
         return Json::object();
       }},
      {"GetVmMonitorNumber", false, getMonitors},
  };
  return apis;
}

Reply updateNicMac(VmService& s, const Json& p) {
  std::string nic = textParam(p, "vmNicUuid");
  std::string mac = textParam(p, "mac");
  static const std::regex kMac(R"(^[0-9a-f]{2}(:[0-9a-f]{2}){5}$)");
  if (!std::regex_match(mac, kMac))
    return invalidArgument("mac must be six lowercase hex pairs joined by ':'", mac);
  if (std::stoi(mac.substr(0, 2), nullptr, 16) & 1)
    return invalidArgument("mac must be unicast (the first octet even)", mac);
  auto vm = loadVmFor(s.db(), VmOp::kChangeNic, textParam(p, "vmInstanceUuid"));
  if (!vm) return vm.error();
  auto taken = s.db().query("SELECT uuid FROM vm_nic WHERE mac = ? AND uuid <> ?", {mac, nic});
  if (!taken) return taken.error();
  if (!taken->rows.empty()) return conflict("MAC " + mac + " is taken", "by NIC " + dbText(taken->rows[0][0]));
  auto changed = s.db().execute("UPDATE vm_nic SET mac = ?, lastOpDate = ? WHERE uuid = ?",
                                {mac, nowMillis(), nic});
  if (!changed) return changed.error();
  return Json::object();
}

void setStaticIp(const std::shared_ptr<VmService>& s, const Json& p, Replier replier) {
  struct Change {
    VmRecord vm;
    std::string l3, ip, nic, oldUsedIp;
    Json newIp;  // l3.AllocateIp's inventory
  };
  auto c = std::make_shared<Change>();
  c->l3 = textParam(p, "l3NetworkUuid");
  c->ip = textParam(p, "ip");
  auto chain = FlowChain::create("set-static-ip");
  addBegin(s, *chain, VmOp::kChangeNic, textParam(p, "vmInstanceUuid"), VmPtr(c, &c->vm));
  chain->then("nic", onBlocking(s->bus(), [s, c]() -> Status {
                auto rows = s->db().query(
                    "SELECT uuid, ip, usedIpUuid FROM vm_nic WHERE vmInstanceUuid = ? AND "
                    "l3NetworkUuid = ?",
                    {c->vm.uuid, c->l3});
                if (!rows) return rows.error();
                if (rows->rows.empty())
                  return invalidArgument("VM " + c->vm.uuid + " has no NIC on L3 network " + c->l3);
                c->nic = dbText(rows->rows[0][0]);
                if (dbText(rows->rows[0][1]) != c->ip) c->oldUsedIp = dbText(rows->rows[0][2]);
                return {};
              }));
  chain->then(
      "take-address",
      [s, c](FlowDone done) {
        if (c->oldUsedIp.empty()) return done(okStatus());  // it has that address already
        s->bus().request({"l3.AllocateIp", "",
                          {{"l3NetworkUuid", c->l3},
                           {"requiredIp", c->ip},
                           {"owner", {{"usedFor", "Vm"}, {"vmNicUuid", c->nic}}}}},
                         [c, done](Reply taken) {
                           if (!taken) return done(taken.error());
                           c->newIp = (*taken)["inventory"];
                           done(okStatus());
                         });
      },
      [s, c](FlowDone done) {
        if (c->newIp.is_null()) return done(okStatus());
        requestInTurn(s->bus(), {releaseIpMessage(c->newIp.value("uuid", ""))},
                      [](const Error&) { return true; }, done);
      });
  chain->then("switch", onBlocking(s->bus(), [s, c]() -> Status {
                if (!c->newIp.is_null()) {
                  auto moved = s->db().execute(
                      "UPDATE vm_nic SET usedIpUuid = ?, ip = ?, netmask = ?, gateway = ?, "
                      "lastOpDate = ? WHERE uuid = ?",
                      {c->newIp.value("uuid", ""), c->newIp.value("ip", ""),
                       c->newIp.value("netmask", ""), c->newIp.value("gateway", ""), nowMillis(),
                       c->nic});
                  if (!moved) return moved.error();
                }
                return setSystemTag(s->db(), c->vm.uuid, kResourceType, "staticIp::" + c->l3, c->ip);
              }));
  chain->then("release-old", [s, c](FlowDone done) {
    if (c->oldUsedIp.empty()) return done(okStatus());
    requestInTurn(s->bus(), {releaseIpMessage(c->oldUsedIp)},
                  [s, c](const Error& e) {
                    s->logger().warn("vm.set-static-ip.release.failed nic=" + c->nic +
                                     " error=" + e.describe());
                    return true;
                  },
                  done);
  });
  auto reply = share(std::move(replier));
  chain->start([s, c, chain, reply](FlowOutcome outcome) {
    if (!outcome.result) return (*reply)(outcome.result.error());
    (*reply)(Json::object());
  });
}

}  // namespace strato::vm
