// CreateVmInstance (3.1.1) as a flow chain with rollback: the row, a host (its CPU and memory
// reserved), the root volume and data volumes on a primary storage of the host's cluster, NICs
// with IPs from each L3 network, and the guest started on the host. A failing step undoes the
// steps before it in reverse order, so a failed creation leaves no capacity taken, no IP, no
// volume and no row behind.
#include <map>
#include <set>

#include "vm_affinity.h"
#include "vm_allocator.h"
#include "vm_async.h"
#include "vm_nics.h"
#include "vm_settings.h"
#include "vm_service.h"
#include "vm_steps.h"

namespace strato::vm {
namespace {

struct Disk {
  std::string offering;
  std::int64_t size = 0;
};

struct CreateContext {
  Json params;
  std::string account;
  std::string uuid;
  std::string offering, offeringStrategy, image, platform;
  std::int64_t cpuNum = 0, cpuSpeed = 0, memorySize = 0;
  std::int64_t rootSize = 0;
  std::string rootDiskOffering;
  std::vector<Disk> dataDisks;
  std::vector<std::string> l3s;
  std::map<std::string, std::string> staticIps, customMacs;  // by L3 network
  bool startNow = true;
  bool fromIso = false;  // the root volume is empty; the ISO goes in its CD-ROM
  HostChoice host;
  bool reserved = false;
  std::string rootVolume;
  std::vector<std::string> dataVolumes;
  std::vector<std::string> nics, usedIps;
};
using Context = std::shared_ptr<CreateContext>;

// Every string of a list parameter, in order, repeats kept (two data disks of one offering).
std::vector<std::string> rawList(const Json& params, const char* key) {
  std::vector<std::string> out;
  auto it = params.find(key);
  if (it == params.end() || !it->is_array()) return out;
  for (const auto& v : *it)
    if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

// "staticIp::<l3>::<ip>" and "customMac::<l3>::<mac>" among the API's system tags.
void readNicTags(CreateContext& c) {
  for (const auto& tag : rawList(c.params, "systemTags")) {
    auto first = tag.find("::");
    if (first == std::string::npos) continue;
    auto second = tag.find("::", first + 2);
    if (second == std::string::npos) continue;
    std::string kind = tag.substr(0, first);
    std::string l3 = tag.substr(first + 2, second - first - 2);
    std::string value = tag.substr(second + 2);
    if (kind == "staticIp") c.staticIps[l3] = value;
    if (kind == "customMac") c.customMacs[l3] = value;
  }
}

// RFC 4648 base64, line breaks allowed: what a userdata:: tag carries. (A loop, not a regex:
// libstdc++'s regex recurses per character, and userdata runs to kilobytes.)
bool isBase64(const std::string& text) {
  std::size_t digits = 0, padding = 0;
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    bool digit = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c == '+' || c == '/';
    if (c == '=') {
      ++padding;
    } else if (!digit || padding > 0) {
      return false;
    }
    ++digits;
  }
  return digits > 0 && digits % 4 == 0 && padding <= 2;
}

Status checkUserdata(const Json& params) {
  const std::string prefix = "userdata::";
  for (const auto& tag : rawList(params, "systemTags")) {
    if (tag.rfind(prefix, 0) == 0 && !isBase64(tag.substr(prefix.size()))) {
      return invalidArgument("systemTags: userdata::<userdata> takes the userdata in base64",
                             tag.substr(0, 64));
    }
  }
  return {};
}

Result<std::int64_t> diskOfferingSize(Database& db, const std::string& uuid, const char* param) {
  auto rows = db.query("SELECT diskSize, state FROM disk_offering WHERE uuid = ?", {uuid});
  if (!rows) return rows.error();
  if (rows->rows.empty())
    return invalidArgument(std::string(param) + " names no disk offering", uuid);
  if (dbText(rows->rows[0][1]) != "Enabled")
    return conflict("disk offering " + uuid + " is disabled", std::string(param) + " " + uuid);
  return dbInt(rows->rows[0][0]);
}

Status readOffering(Database& db, CreateContext& c) {
  c.offering = textParam(c.params, "instanceOfferingUuid");
  auto rows = db.query(
      "SELECT cpuNum, cpuSpeed, memorySize, allocatorStrategy, state FROM instance_offering "
      "WHERE uuid = ?",
      {c.offering});
  if (!rows) return rows.error();
  if (rows->rows.empty())
    return invalidArgument("instanceOfferingUuid names no instance offering", c.offering);
  const auto& r = rows->rows[0];
  if (dbText(r[4]) != "Enabled")
    return conflict("instance offering " + c.offering + " is disabled");
  c.cpuNum = dbInt(r[0]);
  c.cpuSpeed = dbInt(r[1]);
  c.memorySize = dbInt(r[2]);
  c.offeringStrategy = dbText(r[3]);
  return {};
}

Status readImage(Database& db, CreateContext& c) {
  c.image = textParam(c.params, "imageUuid");
  auto rows = db.query(
      "SELECT mediaType, state, status, size, platform FROM image WHERE uuid = ?", {c.image});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return invalidArgument("imageUuid names no image", c.image);
  const auto& r = rows->rows[0];
  std::string media = dbText(r[0]);
  if (media != "RootVolumeTemplate" && media != "ISO") {
    return invalidArgument("image " + c.image + " is a " + media +
                               "; a VM boots from a RootVolumeTemplate or an ISO",
                           "imageUuid " + c.image);
  }
  if (dbText(r[1]) != "Enabled" || dbText(r[2]) != "Ready") {
    return conflict("image " + c.image + " is " + dbText(r[1]) + " and " + dbText(r[2]) +
                    "; it must be Enabled and Ready");
  }
  c.platform = dbText(r[4]);
  c.rootDiskOffering = textParam(c.params, "rootDiskOfferingUuid");
  c.fromIso = media == "ISO";
  if (media == "ISO" && c.rootDiskOffering.empty()) {
    return invalidArgument("rootDiskOfferingUuid is required for a VM booting from an ISO",
                           "imageUuid " + c.image);
  }
  c.rootSize = dbInt(r[3]);
  if (!c.rootDiskOffering.empty()) {
    auto size = diskOfferingSize(db, c.rootDiskOffering, "rootDiskOfferingUuid");
    if (!size) return size.error();
    c.rootSize = media == "ISO" ? *size : std::max(c.rootSize, *size);
  }
  return {};
}

Status readNetworks(Database& db, CreateContext& c) {
  c.l3s = rawList(c.params, "l3NetworkUuids");
  if (c.l3s.empty()) return invalidArgument("l3NetworkUuids must name at least one L3 network");
  for (std::size_t i = 0; i < c.l3s.size(); ++i) {
    const std::string& l3 = c.l3s[i];
    if (std::find(c.l3s.begin(), c.l3s.begin() + static_cast<long>(i), l3) !=
        c.l3s.begin() + static_cast<long>(i)) {
      return invalidArgument("l3NetworkUuids names L3 network " + l3 + " twice");
    }
    auto rows = db.query("SELECT state FROM l3_network WHERE uuid = ?", {l3});
    if (!rows) return rows.error();
    if (rows->rows.empty()) return invalidArgument("l3NetworkUuids names no L3 network", l3);
    if (dbText(rows->rows[0][0]) != "Enabled") return conflict("L3 network " + l3 + " is disabled");
  }
  std::string defaultL3 = textParam(c.params, "defaultL3NetworkUuid", c.l3s.front());
  if (std::find(c.l3s.begin(), c.l3s.end(), defaultL3) == c.l3s.end()) {
    return invalidArgument("defaultL3NetworkUuid must be one of l3NetworkUuids", defaultL3);
  }
  // The default network's NIC comes first (deviceId 0), as the guest's first interface.
  std::stable_partition(c.l3s.begin(), c.l3s.end(),
                        [&](const std::string& l3) { return l3 == defaultL3; });
  readNicTags(c);
  for (const auto& [l3, ip] : c.staticIps) {
    if (std::find(c.l3s.begin(), c.l3s.end(), l3) == c.l3s.end())
      return invalidArgument("system tag staticIp names L3 network " + l3 + " the VM is not on");
  }
  return {};
}

Status checkQuota(const ExtensionLookup& extensions, const CreateContext& c) {
  for (const auto& guard : extensions.all<QuotaGuard>()) {
    auto s = guard->check(c.account, {{"vm.totalNum", 1},
                                      {"vm.num", c.startNow ? 1 : 0},
                                      {"vm.cpuNum", c.cpuNum},
                                      {"vm.memorySize", c.memorySize}});
    if (!s) return s;
  }
  return {};
}

// Validates everything the API names, then inserts the row as Starting.
Status validateAndInsert(VmService& s, CreateContext& c) {
  Database& db = s.db();
  const Json& p = c.params;
  c.uuid = textParam(p, "resourceUuid", newUuid());
  if (!isUuid(c.uuid)) return invalidArgument("resourceUuid must be 32 hex digits", c.uuid);
  std::string name = textParam(p, "name");
  if (name.empty()) return invalidArgument("name must not be empty");
  std::string strategy = textParam(p, "strategy", "InstantStart");
  if (strategy != "InstantStart" && strategy != "CreateStopped") {
    return invalidArgument("strategy must be InstantStart or CreateStopped", strategy);
  }
  c.startNow = strategy == "InstantStart";
  if (auto ok = checkUserdata(p); !ok) return ok;
  for (auto read : {readOffering, readImage, readNetworks}) {
    if (auto ok = read(db, c); !ok) return ok;
  }
  for (const auto& offering : rawList(p, "dataDiskOfferingUuids")) {
    auto size = diskOfferingSize(db, offering, "dataDiskOfferingUuids");
    if (!size) return size.error();
    c.dataDisks.push_back({offering, *size});
  }
  if (auto ok = checkQuota(s.extensions(), c); !ok) return ok;
  auto now = nowMillis();
  auto inserted = db.execute(
      "INSERT INTO vm_instance (uuid, name, description, imageUuid, instanceOfferingUuid, "
      "defaultL3NetworkUuid, type, platform, cpuNum, cpuSpeed, memorySize, allocatorStrategy, "
      "state, createDate, lastOpDate) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'Starting', ?, ?)",
      {c.uuid, name, p.contains("description") ? DbValue(textParam(p, "description")) : DbValue{},
       c.image, c.offering, c.l3s.front(), textParam(p, "type", "UserVm"), c.platform, c.cpuNum,
       c.cpuSpeed, c.memorySize, c.offeringStrategy, now, now});
  if (!inserted) {
    auto existing = db.query("SELECT 1 FROM vm_instance WHERE uuid = ?", {c.uuid});
    if (existing && !existing->rows.empty())
      return makeError(ErrorCode::kAlreadyExists, "a resource with uuid " + c.uuid + " exists");
    return inserted.error();
  }
  if (c.fromIso) {
    if (auto cd = setSystemTag(db, c.uuid, "VmInstanceVO", kIsoTag, c.image); !cd) {
      (void)db.execute("DELETE FROM vm_instance WHERE uuid = ?", {c.uuid});  // this step's undo
      return cd;
    }
  }
  // ZStack's tag for a new VM's affinity group (section 3.1.1's notes).
  for (const auto& tag : rawList(p, "systemTags")) {
    const std::string prefix = "affinityGroupUuid::";
    if (tag.rfind(prefix, 0) != 0) continue;
    if (auto joined = joinAffinityGroup(db, tag.substr(prefix.size()), c.uuid); !joined) {
      (void)db.execute("DELETE FROM vm_instance WHERE uuid = ?", {c.uuid});  // this step's undo
      (void)removeSystemTags(db, c.uuid, kIsoTag);
      (void)leaveAffinityGroups(db, c.uuid);  // a first tag may have joined
      return joined;
    }
  }
  return {};
}

HostRequest hostRequestOf(const VmService& s, const CreateContext& c) {
  HostRequest r;
  r.cpuNum = c.cpuNum;
  r.memorySize = c.memorySize;
  r.l3NetworkUuids = c.l3s;
  r.imageUuid = c.image;
  r.storageBytes = c.rootSize;
  r.primaryStorageUuid = textParam(c.params, "primaryStorageUuidForRootVolume");
  r.zoneUuid = textParam(c.params, "zoneUuid");
  r.clusterUuid = textParam(c.params, "clusterUuid");
  r.hostUuid = textParam(c.params, "hostUuid");
  r.strategy = c.offeringStrategy;
  r.hypervisorTypes = vmHypervisorTypes(s.extensions());
  return r;
}

// NIC `index` and those after it, one at a time.
void allocateNics(const std::shared_ptr<VmService>& s, const Context& c, std::size_t index,
                  FlowDone done) {
  if (index == c->l3s.size()) return done(okStatus());
  NicRequest r{c->uuid, c->l3s[index], static_cast<int>(index), "", ""};
  if (auto ip = c->staticIps.find(r.l3NetworkUuid); ip != c->staticIps.end()) r.staticIp = ip->second;
  if (auto mac = c->customMacs.find(r.l3NetworkUuid); mac != c->customMacs.end())
    r.customMac = mac->second;
  allocateNic(s, r, [s, c, index, done](Result<NicRecord> nic) {
    if (!nic) return done(nic.error());
    c->nics.push_back(nic->uuid);
    c->usedIps.push_back(nic->usedIpUuid);
    allocateNics(s, c, index + 1, done);
  });
}

// Undoes what a failed creation made, one request at a time; a request that fails is logged and
// the rest still go.
void undoInTurn(const std::shared_ptr<VmService>& s, std::vector<Message> requests, FlowDone done) {
  requestInTurn(
      s->bus(), std::move(requests),
      [s](const Error& e) {
        s->logger().warn("vm.create.rollback.failed error=" + e.describe());
        return true;
      },
      std::move(done));
}

std::vector<Message> releaseIpRequests(const std::vector<std::string>& usedIps) {
  std::vector<Message> out;
  for (const auto& ip : usedIps) out.push_back(releaseIpMessage(ip));
  return out;
}

std::vector<Message> expungeRequests(const std::vector<std::string>& volumes) {
  std::vector<Message> out;
  for (const auto& v : volumes) out.push_back({std::string(kExpungeVmVolumeMessage), "", {{"uuid", v}}});
  return out;
}

Json volumeBody(const CreateContext& c, const char* type, int deviceId) {
  // A LocalStorage puts the file on the disk of the host chosen for the VM.
  return Json{{"vmInstanceUuid", c.uuid},
              {"type", type},
              {"deviceId", deviceId},
              {"hostUuid", c.host.uuid}};
}

}  // namespace

// What CreateVmInstance with these parameters would consider, read the same way: the hosts, their
// clusters and zones (3.1.45), and the primary storages for the root and data volumes (3.1.15,
// which names no offering: then CPU and memory do not narrow the hosts).
Reply VmService::creationCandidates(const Json& p) {
  CreateContext c;
  c.params = p;
  std::vector<Status (*)(Database&, CreateContext&)> reads{readImage, readNetworks};
  if (p.contains("instanceOfferingUuid")) reads.insert(reads.begin(), readOffering);
  for (auto read : reads)
    if (auto ok = read(db_, c); !ok) return ok.error();
  std::int64_t dataBytes = 0;
  for (const auto& offering : rawList(p, "dataDiskOfferingUuids")) {
    auto size = diskOfferingSize(db_, offering, "dataDiskOfferingUuids");
    if (!size) return size.error();
    dataBytes = std::max(dataBytes, *size);
  }
  Json out{{"zones", Json::array()}, {"clusters", Json::array()}, {"hosts", Json::array()},
           {"rootStorages", Json::array()}, {"dataStorages", Json::array()}};
  auto hosts = candidateHosts(db_, hostRequestOf(*this, c));
  if (!hosts) return hosts.error().code == ErrorCode::kConflict ? Reply(out) : Reply(hosts.error());
  std::set<std::string> seen;
  auto add = [&](const char* key, const std::string& uuid) {
    if (seen.insert(std::string(key) + uuid).second) out[key].push_back(uuid);
  };
  for (const auto& h : *hosts) {
    add("hosts", h.uuid);
    add("clusters", h.clusterUuid);
    add("zones", h.zoneUuid);
    for (auto [key, bytes] : {std::pair{"rootStorages", c.rootSize}, std::pair{"dataStorages", dataBytes}}) {
      if (std::string(key) == "dataStorages" && dataBytes == 0) continue;
      auto storages = candidateStorages(db_, h.clusterUuid, h.uuid, bytes, "");
      if (!storages) continue;  // none with room in this cluster
      for (const auto& ps : *storages) add(key, ps);
    }
  }
  return out;
}

void VmService::create(const Json& params, const std::string& accountUuid, Replier replier) {
  auto self = shared_from_this();
  auto c = std::make_shared<CreateContext>();
  c->params = params;
  c->account = accountUuid;
  auto reply = share(std::move(replier));
  auto chain = FlowChain::create("create-vm");

  chain->then(
      "validate", onBlocking(bus_, [self, c] { return validateAndInsert(*self, *c); }),
      undoOnBlocking(bus_, [self, c] {
        (void)self->db().execute("DELETE FROM vm_instance WHERE uuid = ?", {c->uuid});
        (void)leaveAffinityGroups(self->db(), c->uuid);
        (void)removeSystemTags(self->db(), c->uuid, kIsoTag);
      }));

  chain->then(
      "allocate-host",
      [self, c](FlowDone done) {
        placeVm(self, c->uuid, hostRequestOf(*self, *c), c->startNow,
                [c, done](Result<HostChoice> host) {
                  if (!host) return done(host.error());
                  c->host = *host;
                  c->reserved = c->startNow;
                  done(okStatus());
                });
      },
      [self, c](FlowDone done) {
        if (!c->reserved) return done(okStatus());
        releaseHost(self->bus(), c->host.uuid, c->cpuNum, c->memorySize, done);
      });

  chain->then(
      "root-volume",
      [self, c](FlowDone done) {
        Json body = volumeBody(*c, "Root", 0);
        body["name"] = "ROOT-for-" + textParam(c->params, "name");
        body["imageUuid"] = c->image;
        body["size"] = c->rootSize;
        if (!c->rootDiskOffering.empty()) body["diskOfferingUuid"] = c->rootDiskOffering;
        createVolume(self, body, c->host.clusterUuid, c->rootSize,
                     textParam(c->params, "primaryStorageUuidForRootVolume"),
                     [c, done](Result<std::string> volume) {
                       if (!volume) return done(volume.error());
                       c->rootVolume = *volume;
                       done(okStatus());
                     });
      },
      [self, c](FlowDone done) {
        undoInTurn(self, expungeRequests(c->rootVolume.empty() ? std::vector<std::string>{}
                                                                : std::vector<std::string>{c->rootVolume}),
                   done);
      });

  FlowAction dropDataVolumes = [self, c](FlowDone done) {
    undoInTurn(self, expungeRequests(c->dataVolumes), done);
  };
  chain->then(
      "data-volumes",
      undoneOnFailure(
          [self, c](FlowDone done) {
            auto next = std::make_shared<std::function<void(std::size_t)>>();
            *next = [self, c, done, weak = std::weak_ptr(next)](std::size_t i) {
              if (i == c->dataDisks.size()) return done(okStatus());
              Json body = volumeBody(*c, "Data", static_cast<int>(i + 1));
              body["name"] = "DATA-for-" + textParam(c->params, "name");
              body["size"] = c->dataDisks[i].size;
              body["diskOfferingUuid"] = c->dataDisks[i].offering;
              createVolume(self, body, c->host.clusterUuid, c->dataDisks[i].size, "",
                           [c, done, i, again = weak.lock()](Result<std::string> volume) {
                             if (!volume) return done(volume.error());
                             c->dataVolumes.push_back(*volume);
                             (*again)(i + 1);
                           });
            };
            auto keep = next;
            (*keep)(0);
          },
          dropDataVolumes),
      dropDataVolumes);

  FlowAction dropNics = [self, c](FlowDone done) {
    self->bus().postBlocking([self, c, done] {
      (void)self->db().execute("DELETE FROM vm_nic WHERE vmInstanceUuid = ?", {c->uuid});
      undoInTurn(self, releaseIpRequests(c->usedIps), done);
    });
  };
  chain->then("nics",
              undoneOnFailure([self, c](FlowDone done) { allocateNics(self, c, 0, done); }, dropNics),
              dropNics);

  auto specNow = [self, c]() -> Result<VmSpec> {
    VmRecord vm;
    vm.uuid = c->uuid;
    vm.name = textParam(c->params, "name");
    vm.cpuNum = c->cpuNum;
    vm.memorySize = c->memorySize;
    vm.platform = c->platform;
    return specOf(self->db(), vm, c->host.uuid, rawList(c->params, "systemTags"));
  };
  chain->then(
      "start-on-host",
      onBlocking(bus_,
                 [self, c, specNow]() -> Status {
                   if (!c->startNow) return {};
                   auto driver = self->driverFor(c->host.hypervisorType);
                   if (!driver)
                     return makeError(ErrorCode::kNotSupported,
                                      "no VM driver for " + c->host.hypervisorType);
                   auto spec = specNow();
                   if (!spec) return spec.error();
                   return driver->start(*spec);
                 }),
      undoOnBlocking(bus_, [self, c, specNow] {
        auto driver = self->driverFor(c->host.hypervisorType);
        auto spec = specNow();
        if (!driver || !spec || !c->startNow) return;
        if (auto gone = driver->destroy(*spec); !gone)
          self->logger().warn("vm.create.rollback.destroy.failed uuid=" + c->uuid +
                              " error=" + gone.error().describe());
      }));

  chain->then("finish", onBlocking(bus_, [self, c]() -> Status {
                VmRecord vm;
                vm.uuid = c->uuid;
                vm.state = "Starting";
                return saveState(
                    self->db(), self->bus(), vm, c->startNow ? "Running" : "Stopped",
                    {{"hostUuid", c->startNow ? DbValue(c->host.uuid) : DbValue{}},
                     {"lastHostUuid", c->host.uuid},
                     {"clusterUuid", c->host.clusterUuid},
                     {"zoneUuid", c->host.zoneUuid},
                     {"hypervisorType", c->host.hypervisorType},
                     {"rootVolumeUuid", c->rootVolume}});
              }));

  chain->start([self, c, reply](FlowOutcome outcome) {
    if (!outcome.result) {
      self->logger().warn("vm.create.failed uuid=" + c->uuid + " step=" + outcome.failedStep +
                          " error=" + outcome.result.error().describe());
      return (*reply)(outcome.result.error());
    }
    self->logger().info("vm.created uuid=" + c->uuid + " host=" + c->host.uuid);
    // The kernel records the VM's owner from the reply; its volumes and NICs are recorded here.
    Json owned = Json::array();
    owned.push_back({{"uuid", c->rootVolume}, {"resourceType", "VolumeVO"}});
    for (const auto& v : c->dataVolumes) owned.push_back({{"uuid", v}, {"resourceType", "VolumeVO"}});
    for (const auto& n : c->nics) owned.push_back({{"uuid", n}, {"resourceType", "VmNicVO"}});
    if (c->account.empty()) return replyInventory(self->bus(), "VmInstance", c->uuid, reply);
    self->bus().request(
        {std::string(kRecordOwnershipMessage), "", {{"accountUuid", c->account}, {"resources", owned}}},
        [self, c, reply](Reply recorded) {
          if (!recorded)
            self->logger().warn("vm.create.owners.failed uuid=" + c->uuid +
                                " error=" + recorded.error().describe());
          replyInventory(self->bus(), "VmInstance", c->uuid, reply);
        });
  });
}

}  // namespace strato::vm
