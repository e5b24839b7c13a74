#include "vm_affinity.h"

#include <algorithm>
#include <cctype>

#include "vm_async.h"

namespace strato::vm {
namespace {

constexpr const char* kPlaceMessage = "vm.PlaceInAffinityGroup";

struct Group {
  std::string uuid, policy, state;
};

// The group the VM is in, if any.
Result<std::optional<Group>> groupOf(Database& db, const std::string& vmUuid) {
  auto rows = db.query(
      "SELECT g.uuid, g.policy, g.state FROM affinity_group g JOIN affinity_group_usage u ON "
      "u.affinityGroupUuid = g.uuid WHERE u.resourceUuid = ?",
      {vmUuid});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return std::optional<Group>();
  const auto& r = rows->rows[0];
  return std::optional<Group>(Group{dbText(r[0]), dbText(r[1]), dbText(r[2])});
}

// Hosts the other members hold, or are being placed on right now (a claim counts only while
// its VM is Starting or Migrating: a stale one of a VM that failed or stopped is ignored).
Result<std::vector<std::string>> membersHosts(Database& db, const std::string& group,
                                              const std::string& vmUuid) {
  auto rows = db.query(
      "SELECT vm.hostUuid FROM affinity_group_usage u JOIN vm_instance vm ON vm.uuid = "
      "u.resourceUuid WHERE u.affinityGroupUuid = ? AND u.resourceUuid <> ? AND vm.hostUuid IS "
      "NOT NULL UNION SELECT u.claimHostUuid FROM affinity_group_usage u JOIN vm_instance vm ON "
      "vm.uuid = u.resourceUuid WHERE u.affinityGroupUuid = ? AND u.resourceUuid <> ? AND "
      "u.claimHostUuid IS NOT NULL AND vm.state IN ('Starting', 'Migrating')",
      {group, vmUuid, group, vmUuid});
  if (!rows) return rows.error();
  std::vector<std::string> out;
  for (const auto& r : rows->rows) out.push_back(dbText(r[0]));
  return out;
}

Json choiceJson(const HostChoice& h) {
  return {{"uuid", h.uuid}, {"clusterUuid", h.clusterUuid}, {"zoneUuid", h.zoneUuid},
          {"hypervisorType", h.hypervisorType}, {"managementIp", h.managementIp}};
}

HostChoice choiceFrom(const Json& j) {
  return {j.value("uuid", ""), j.value("clusterUuid", ""), j.value("zoneUuid", ""),
          j.value("hypervisorType", ""), j.value("managementIp", "")};
}

// Candidates, then the reservation; `done` on a bus thread.
void pickAndReserve(const std::shared_ptr<VmService>& s, const HostRequest& request, bool reserve,
                    std::function<void(Result<HostChoice>)> done) {
  auto hosts = candidateHosts(s->db(), request);
  if (!hosts) return done(hosts.error());
  if (!reserve) return done(hosts->front());
  reserveHost(s->bus(), std::move(*hosts), request.cpuNum, request.memorySize, std::move(done));
}

// In the group's queue: the members' hosts are left out (antiHard) or tried last (antiSoft).
void placeInGroup(const std::shared_ptr<VmService>& s, const Json& body, Replier replier) {
  auto reply = share(std::move(replier));
  s->bus().postBlocking([s, body, reply] {
    std::string group = body.value("groupUuid", ""), vm = body.value("vmUuid", "");
    bool hard = body.value("policy", "") == "ANTIHARD";
    HostRequest request = hostRequestFrom(body["request"]);
    auto taken = membersHosts(s->db(), group, vm);
    if (!taken) return (*reply)(taken.error());
    auto& list = hard ? request.excludedHosts : request.avoidedHosts;
    list.insert(list.end(), taken->begin(), taken->end());
    pickAndReserve(s, request, body.value("reserve", true),
                   [s, group, vm, hard, taken = *taken, reply](Result<HostChoice> host) {
                     if (!host) {
                       if (!hard || host.error().code != ErrorCode::kConflict)
                         return (*reply)(host.error());
                       return (*reply)(conflict(
                           "no host free of the other VMs of antiHard affinity group " + group +
                               " can run VM " + vm,
                           host.error().message + "; hosts taken by the group: " +
                               std::to_string(taken.size())));
                     }
                     s->bus().postBlocking([s, group, vm, choice = *host, reply] {
                       auto claimed = s->db().execute(
                           "UPDATE affinity_group_usage SET claimHostUuid = ? WHERE "
                           "affinityGroupUuid = ? AND resourceUuid = ?",
                           {choice.uuid, group, vm});
                       if (!claimed) return (*reply)(claimed.error());
                       (*reply)(choiceJson(choice));
                     });
                   });
  });
}

std::string upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
  return text;
}

Reply groupReply(const std::string& uuid) { return Json{{"uuid", uuid}}; }

Result<Group> loadGroup(Database& db, const std::string& uuid) {
  auto rows = db.query("SELECT uuid, policy, state FROM affinity_group WHERE uuid = ?", {uuid});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return invalidArgument("no affinity group " + uuid, uuid);
  const auto& r = rows->rows[0];
  return Group{dbText(r[0]), dbText(r[1]), dbText(r[2])};
}

Reply createGroup(Database& db, const Json& p) {
  std::string name = textParam(p, "name");
  if (name.empty()) return invalidArgument("name must not be empty");
  std::string policy = upper(textParam(p, "policy"));
  if (policy != "ANTISOFT" && policy != "ANTIHARD")
    return invalidArgument("policy must be antiSoft or antiHard", textParam(p, "policy"));
  std::string type = upper(textParam(p, "type", "host"));
  if (type != "HOST") return invalidArgument("type must be host", textParam(p, "type"));
  std::string uuid = textParam(p, "resourceUuid", newUuid());
  if (!isUuid(uuid)) return invalidArgument("resourceUuid must be 32 hex digits", uuid);
  auto now = nowMillis();
  auto added = db.execute(
      "INSERT INTO affinity_group (uuid, name, description, policy, version, type, appliance, "
      "state, createDate, lastOpDate) VALUES (?, ?, ?, ?, '1.0', ?, 'CUSTOMER', 'Enabled', ?, ?)",
      {uuid, name, textParam(p, "description"), policy, type, now, now});
  if (!added) {
    auto existing = db.query("SELECT 1 FROM affinity_group WHERE uuid = ?", {uuid});
    if (existing && !existing->rows.empty())
      return makeError(ErrorCode::kAlreadyExists, "a resource with uuid " + uuid + " exists");
    return added.error();
  }
  return groupReply(uuid);
}

Reply updateGroup(Database& db, const Json& p) {
  auto group = loadGroup(db, textParam(p, "uuid"));
  if (!group) return group.error();
  for (const char* field : {"name", "description"}) {
    if (!p.contains(field)) continue;
    if (std::string(field) == "name" && textParam(p, field).empty())
      return invalidArgument("name must not be empty");
    auto set = db.execute(std::string("UPDATE affinity_group SET ") + field +
                              " = ?, lastOpDate = ? WHERE uuid = ?",
                          {textParam(p, field), nowMillis(), group->uuid});
    if (!set) return set.error();
  }
  return groupReply(group->uuid);
}

Reply changeState(Database& db, const Json& p) {
  auto group = loadGroup(db, textParam(p, "uuid"));
  if (!group) return group.error();
  std::string event = textParam(p, "stateEvent");
  auto set = db.execute("UPDATE affinity_group SET state = ?, lastOpDate = ? WHERE uuid = ?",
                        {event == "enable" ? "Enabled" : "Disabled", nowMillis(), group->uuid});
  if (!set) return set.error();
  return groupReply(group->uuid);
}

Reply deleteGroup(Database& db, const Json& p) {
  std::string uuid = textParam(p, "uuid");
  for (const char* sql : {"DELETE FROM affinity_group_usage WHERE affinityGroupUuid = ?",
                          "DELETE FROM affinity_group WHERE uuid = ?"}) {
    auto gone = db.execute(sql, {uuid});
    if (!gone) return gone.error();
  }
  return Json::object();
}

// In the group's queue.
Reply addVm(Database& db, const Json& p) {
  std::string group = textParam(p, "affinityGroupUuid");
  if (auto joined = joinAffinityGroup(db, group, textParam(p, "uuid")); !joined) return joined.error();
  return groupReply(group);
}

Reply removeVm(Database& db, const Json& p) {
  auto group = loadGroup(db, textParam(p, "affinityGroupUuid"));
  if (!group) return group.error();
  auto gone = db.execute(
      "DELETE FROM affinity_group_usage WHERE affinityGroupUuid = ? AND resourceUuid = ?",
      {group->uuid, textParam(p, "uuid")});
  if (!gone) return gone.error();
  return groupReply(group->uuid);
}

}  // namespace

void addAffinitySchema(Registrar& r) {
  r.addMigrations(
      {{2,
        "affinity groups",
        {"CREATE TABLE affinity_group (uuid VARCHAR(32) PRIMARY KEY, name VARCHAR(255) NOT NULL, "
         "description TEXT, policy VARCHAR(32) NOT NULL, version VARCHAR(32) NOT NULL, "
         "type VARCHAR(32) NOT NULL, appliance VARCHAR(32) NOT NULL, state VARCHAR(32) NOT NULL, "
         "createDate BIGINT NOT NULL, lastOpDate BIGINT NOT NULL)",
         // claimHostUuid: the host a placement in the group's queue took for the member.
         "CREATE TABLE affinity_group_usage (uuid VARCHAR(32) PRIMARY KEY, "
         "affinityGroupUuid VARCHAR(32) NOT NULL, resourceUuid VARCHAR(32) NOT NULL UNIQUE, "
         "resourceType VARCHAR(64) NOT NULL, claimHostUuid VARCHAR(32), "
         "createDate BIGINT NOT NULL, lastOpDate BIGINT NOT NULL)",
         "CREATE INDEX affinity_group_usage_group ON affinity_group_usage (affinityGroupUuid)"}}});
  using F = FieldType;
  r.addInventory({"AffinityGroupUsage",
                  "affinity_group_usage",
                  "org.zstack.header.affinitygroup.AffinityGroupUsageInventory",
                  {{"uuid"},
                   {"affinityGroupUuid"},
                   {"resourceUuid"},
                   {"resourceType"},
                   {"createDate", F::kDate},
                   {"lastOpDate", F::kDate}},
                  {}});
  InventorySchema group{"AffinityGroup",
                        "affinity_group",
                        "org.zstack.header.affinitygroup.AffinityGroupInventory",
                        {{"uuid"},
                         {"name"},
                         {"description"},
                         {"policy"},
                         {"version"},
                         {"type"},
                         {"appliance"},
                         {"state"},
                         {"createDate", F::kDate},
                         {"lastOpDate", F::kDate}},
                        {{"usages", "AffinityGroupUsage", "uuid", "affinityGroupUuid"}}};
  group.ownedByAccount = true;
  group.lists = {{"usages", "AffinityGroupUsage", "uuid", "affinityGroupUuid", "createDate"}};
  r.addInventory(group);
}

void addAffinityApis(Registrar& r, const std::shared_ptr<VmService>& service) {
  auto& bus = r.bus();
  auto& db = r.database();
  ApiDeclaration query;
  query.name = "QueryAffinityGroup";
  query.inventory = "AffinityGroup";
  r.addApi(query);
  // Blocking work, answered with the group rendered (or {} when `work` says so).
  auto serve = [&](const char* name, const char* messageType, bool rendered,
                   std::function<Reply(Database&, const Json&)> work) {
    r.handle(messageType, [&bus, &db, rendered, work](Message m, Replier replier) {
      auto reply = share(std::move(replier));
      bus.postBlocking([&bus, &db, rendered, work, p = m.body["params"], reply] {
        auto done = work(db, p);
        if (!done || !rendered) return (*reply)(std::move(done));
        replyInventory(bus, "AffinityGroup", (*done)["uuid"], reply);
      });
    });
    if (!name) return;
    ApiDeclaration decl;
    decl.name = name;
    decl.messageType = messageType;
    decl.inventory = "AffinityGroup";
    r.addApi(decl);
  };
  serve(nullptr, "vm.CreateAffinityGroup", true, createGroup);
  // The manual lists only antiSoft; ZStack takes antiHard too (and the issue asks for it).
  ApiDeclaration create;
  create.name = "CreateAffinityGroup";
  create.messageType = "vm.CreateAffinityGroup";
  create.inventory = "AffinityGroup";
  create.params = {{"name", ParamType::kString, true},
                   {"description", ParamType::kString, false},
                   {"policy", ParamType::kString, true, {"antiSoft", "antiHard"}},
                   {"type", ParamType::kString, false, {"host"}},
                   {"resourceUuid", ParamType::kString, false},
                   {"systemTags", ParamType::kList, false},
                   {"userTags", ParamType::kList, false}};
  r.addApi(create);
  serve("UpdateAffinityGroup", "vm.UpdateAffinityGroup", true, updateGroup);
  serve("ChangeAffinityGroupState", "vm.ChangeAffinityGroupState", true, changeState);
  serve("DeleteAffinityGroup", "vm.DeleteAffinityGroup", false, deleteGroup);
  // Membership changes wait in the group's queue behind placements.
  using Work = Reply (*)(Database&, const Json&);
  for (auto [name, inner, work] :
       {std::tuple<const char*, const char*, Work>{"AddVmToAffinityGroup",
                                                   "vm.AddVmToAffinityGroupQueued", addVm},
        std::tuple<const char*, const char*, Work>{
            "RemoveVmFromAffinityGroup", "vm.RemoveVmFromAffinityGroupQueued", removeVm}}) {
    serve(nullptr, inner, true, work);
    ApiDeclaration decl;
    decl.name = name;
    decl.messageType = std::string("vm.") + name;
    r.addApi(decl);
    r.handle(decl.messageType, forwardToQueue(bus, "affinityGroupUuid", inner));
  }
  r.handle(kPlaceMessage, [service](Message m, Replier reply) {
    placeInGroup(service, m.body, std::move(reply));
  });
}

void placeVm(const std::shared_ptr<VmService>& s, const std::string& vmUuid, HostRequest request,
             bool reserve, std::function<void(Result<HostChoice>)> done) {
  s->bus().postBlocking([s, vmUuid, request = std::move(request), reserve, done] {
    auto group = groupOf(s->db(), vmUuid);
    if (!group) return done(group.error());
    if (!*group || (*group)->state != "Enabled") return pickAndReserve(s, request, reserve, done);
    s->bus().request({kPlaceMessage,
                      (*group)->uuid,
                      {{"groupUuid", (*group)->uuid},
                       {"policy", (*group)->policy},
                       {"vmUuid", vmUuid},
                       {"reserve", reserve},
                       {"request", toJson(request)}}},
                     [done](Reply placed) {
                       if (!placed) return done(placed.error());
                       done(choiceFrom(*placed));
                     });
  });
}

// An antiHard group refuses a VM that runs beside another member.
Status joinAffinityGroup(Database& db, const std::string& groupUuid, const std::string& vmUuid) {
  auto group = loadGroup(db, groupUuid);
  if (!group) return group.error();
  auto vm = loadVm(db, vmUuid);
  if (!vm) return vm.error();
  auto current = groupOf(db, vm->uuid);
  if (!current) return current.error();
  if (*current) {
    if ((*current)->uuid == group->uuid) return {};
    return conflict("VM " + vm->uuid + " is in affinity group " + (*current)->uuid,
                    "a VM belongs to one group; remove it there first");
  }
  if (group->policy == "ANTIHARD" && group->state == "Enabled" && !vm->hostUuid.empty()) {
    auto taken = membersHosts(db, group->uuid, vm->uuid);
    if (!taken) return taken.error();
    if (std::find(taken->begin(), taken->end(), vm->hostUuid) != taken->end())
      return conflict("VM " + vm->uuid + " runs on host " + vm->hostUuid +
                          " beside another VM of antiHard affinity group " + group->uuid,
                      "migrate it first");
  }
  auto now = nowMillis();
  auto added = db.execute(
      "INSERT INTO affinity_group_usage (uuid, affinityGroupUuid, resourceUuid, resourceType, "
      "createDate, lastOpDate) VALUES (?, ?, ?, 'VmInstanceVO', ?, ?)",
      {newUuid(), group->uuid, vm->uuid, now, now});
  if (!added) return added.error();
  return {};
}

Status leaveAffinityGroups(Database& db, const std::string& vmUuid) {
  auto gone = db.execute("DELETE FROM affinity_group_usage WHERE resourceUuid = ?", {vmUuid});
  if (!gone) return gone.error();
  return {};
}

}  // namespace strato::vm
