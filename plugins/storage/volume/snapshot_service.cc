#include "snapshot_service.h"

#include <strato/handler_util.h>
#include <strato/in_turn.h>
#include <strato/rendering.h>

#include "volume_store.h"

namespace strato::volume {
namespace {

// Runs `step(item, next)` for each item in turn; `done` gets the first error or success.
template <class Item>
void eachInTurn(std::vector<Item> items, std::function<void(const Item&, std::function<void(Status)>)> step,
                std::function<void(Status)> done, std::size_t i = 0) {
  if (i == items.size()) return done(okStatus());
  const Item item = items[i];
  step(item, [items = std::move(items), step, done, i](Status s) mutable {
    if (!s) return done(s);
    eachInTurn(std::move(items), std::move(step), std::move(done), i + 1);
  });
}

// The snapshot's file; `snapshotUuid` finds the host holding it on local storage.
Message deletion(const std::string& snapshotUuid, const std::string& ps, const std::string& path,
                 std::int64_t size) {
  return {std::string(kDeleteVolumeMessage),
          "",
          {{"primaryStorageUuid", ps},
           {"resourceUuid", snapshotUuid},
           {"installPath", path},
           {"size", size}}};
}

Message forgetting(const std::vector<std::string>& uuids) {
  return {std::string(kForgetResourcesMessage), "", {{"uuids", uuids}}};
}

}  // namespace

Result<std::string> SnapshotService::volumeOf(const std::string& snapshotUuid) {
  auto rows = db_.query("SELECT volumeUuid FROM volume_snapshot WHERE uuid = ?", {snapshotUuid});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return invalidArgument("no volume snapshot " + snapshotUuid, snapshotUuid);
  return dbText(rows->rows[0][0]);
}

void SnapshotService::take(const std::string& volumeUuid, const std::string& uuid,
                           const std::string& name, const std::string& description,
                           std::function<void(Result<std::string>)> done) {
  bus_.postBlocking([self = shared_from_this(), volumeUuid, uuid, name, description, done] {
    auto volume = loadVolume(self->db_, volumeUuid);
    if (!volume) return done(volume.error());
    if (volume->status != "Ready" || volume->installPath.empty())
      return done(conflict("volume " + volumeUuid + " is " + volume->status + "; it must be Ready"));
    if (volume->state != "Enabled") return done(conflict("volume " + volumeUuid + " is Disabled"));
    if (auto ok = vmAllows(self->db_, *volume, {"Created", "Running", "Stopped", "Paused"},
                           "take a snapshot");
        !ok)
      return done(ok.error());
    VolumeRecord v = *volume;
    self->bus_.request(
        {std::string(kCreateSnapshotMessage),
         "",
         {{"primaryStorageUuid", v.primaryStorageUuid},
          {"resourceUuid", v.uuid},
          {"installPath", v.installPath},
          {"snapshotUuid", uuid},
          {"size", v.size}}},
        [self, v, uuid, name, description, done](Reply file) {
          if (!file) return done(file.error());
          self->bus_.postBlocking([self, v, uuid, name, description, done, file = *file] {
            Status recorded = self->db_.transaction([&](Database& tx) -> Status {
              auto now = nowMillis();
              auto tree = tx.query(
                  "SELECT uuid FROM volume_snapshot_tree WHERE volumeUuid = ? AND current = 1",
                  {v.uuid});
              if (!tree) return tree.error();
              std::string treeUuid = tree->rows.empty() ? newUuid() : dbText(tree->rows[0][0]);
              if (tree->rows.empty()) {
                auto added = tx.execute(
                    "INSERT INTO volume_snapshot_tree (uuid, volumeUuid, current, status, "
                    "createDate, lastOpDate) VALUES (?, ?, 1, 'Completed', ?, ?)",
                    {treeUuid, v.uuid, now, now});
                if (!added) return added.error();
              }
              auto parent = tx.query(
                  "SELECT uuid, distance FROM volume_snapshot WHERE treeUuid = ? AND latest = 1",
                  {treeUuid});
              if (!parent) return parent.error();
              DbValue parentUuid;
              std::int64_t distance = 0;
              if (!parent->rows.empty()) {
                parentUuid = dbText(parent->rows[0][0]);
                distance = dbInt(parent->rows[0][1]) + 1;
              }
              auto older = tx.execute("UPDATE volume_snapshot SET latest = 0 WHERE volumeUuid = ?",
                                      {v.uuid});
              if (!older) return older.error();
              auto added = tx.execute(
                  "INSERT INTO volume_snapshot (uuid, name, description, type, volumeUuid, "
                  "treeUuid, parentUuid, primaryStorageUuid, primaryStorageInstallPath, "
                  "volumeType, format, latest, size, distance, fullSnapshot, state, status, "
                  "createDate, lastOpDate) VALUES (?, ?, ?, 'Hypervisor', ?, ?, ?, ?, ?, ?, ?, 1, "
                  "?, ?, 1, 'Enabled', 'Ready', ?, ?)",
                  {uuid, name, description, v.uuid, treeUuid, parentUuid, v.primaryStorageUuid,
                   textParam(file, "installPath"), v.type, v.format,
                   file.value("size", v.size), distance, now, now});
              if (!added) return added.error();
              return {};
            });
            if (recorded) {
              self->logger_.info("volume.snapshot.created uuid=" + uuid + " volume=" + v.uuid);
              return done(uuid);
            }
            // No row names the file: it goes again.
            self->bus_.request(deletion(uuid, v.primaryStorageUuid, textParam(file, "installPath"),
                                        file.value("size", v.size)),
                               [done, recorded](Reply) { done(recorded.error()); });
          });
        },
        std::chrono::minutes(30));
  });
}

void SnapshotService::create(const Json& p, Replier replier) {
  auto reply = share(std::move(replier));
  std::string uuid = textParam(p, "resourceUuid", newUuid());
  if (!isUuid(uuid)) return (*reply)(invalidArgument("resourceUuid must be 32 hex digits", uuid));
  std::string name = textParam(p, "name");
  if (name.empty()) return (*reply)(invalidArgument("name must not be empty"));
  take(textParam(p, "volumeUuid"), uuid, name, textParam(p, "description"),
       [self = shared_from_this(), reply](Result<std::string> taken) {
         if (!taken) return (*reply)(taken.error());
         replyInventory(self->bus_, "VolumeSnapshot", *taken, reply);
       });
}

void SnapshotService::removeSubtree(const std::string& uuid, std::function<void(Status)> done) {
  bus_.postBlocking([self = shared_from_this(), uuid, done] {
    auto top = self->db_.query(
        "SELECT parentUuid, treeUuid FROM volume_snapshot WHERE uuid = ?", {uuid});
    if (!top) return done(top.error());
    if (top->rows.empty()) return done(okStatus());  // gone already
    std::string parent = dbText(top->rows[0][0]), tree = dbText(top->rows[0][1]);
    // The snapshot and every one taken from it: their files build on it.
    std::vector<std::string> doomed{uuid};
    for (std::size_t i = 0; i < doomed.size(); ++i) {
      auto children = self->db_.query("SELECT uuid FROM volume_snapshot WHERE parentUuid = ?", {doomed[i]});
      if (!children) return done(children.error());
      for (const auto& r : children->rows) doomed.push_back(dbText(r[0]));
    }
    std::vector<Message> files;
    bool hadLatest = false;
    for (const auto& s : doomed) {
      auto row = self->db_.query(
          "SELECT primaryStorageUuid, primaryStorageInstallPath, size, latest FROM "
          "volume_snapshot WHERE uuid = ?",
          {s});
      if (!row) return done(row.error());
      if (row->rows.empty()) continue;
      const auto& r = row->rows[0];
      files.push_back(deletion(s, dbText(r[0]), dbText(r[1]), dbInt(r[2])));
      hadLatest = hadLatest || dbInt(r[3]) != 0;
    }
    requestInTurn(
        self->bus_, files,
        // A storage that is gone took the files along; other failures keep the rows to retry.
        [](const Error& e) { return e.code == ErrorCode::kNotFound; },
        [self, doomed, parent, tree, hadLatest, done](Status deleted) {
          if (!deleted) return done(deleted);
          self->bus_.postBlocking([self, doomed, parent, tree, hadLatest, done] {
            Status dropped = forEachSlice(doomed, [&](const std::vector<DbValue>& slice) -> Status {
              std::string in = "(" + sqlPlaceholders(slice.size()) + ")";
              auto gone = self->db_.execute("DELETE FROM volume_snapshot WHERE uuid IN " + in, slice);
              if (!gone) return gone.error();
              return statusOf(self->db_.execute(
                  "UPDATE volume_snapshot_group_ref SET snapshotDeleted = 1 WHERE "
                  "volumeSnapshotUuid IN " + in,
                  slice));
            });
            if (!dropped) return done(dropped);
            // The volume's content came from the latest: its parent is the latest now.
            if (hadLatest && !parent.empty())
              (void)self->db_.execute("UPDATE volume_snapshot SET latest = 1 WHERE uuid = ?", {parent});
            (void)self->db_.execute(
                "DELETE FROM volume_snapshot_tree WHERE uuid = ? AND NOT EXISTS (SELECT 1 FROM "
                "volume_snapshot WHERE treeUuid = ?)",
                {tree, tree});
            self->logger_.info("volume.snapshot.deleted uuid=" + doomed.front() +
                               " with=" + std::to_string(doomed.size() - 1));
            self->bus_.request(forgetting(doomed), [done](Reply forgotten) {
              done(forgotten ? okStatus() : Status(forgotten.error()));
            });
          });
        });
  });
}

void SnapshotService::remove(const Json& p, Replier replier) {
  auto reply = share(std::move(replier));
  removeSubtree(textParam(p, "uuid"), [reply](Status s) {
    (*reply)(s ? Reply(Json::object()) : Reply(s.error()));
  });
}

void SnapshotService::revert(const Json& p, Replier replier) {
  auto reply = share(std::move(replier));
  std::string uuid = textParam(p, "uuid");
  bus_.postBlocking([self = shared_from_this(), uuid, reply] {
    auto snap = self->db_.query(
        "SELECT volumeUuid, treeUuid, primaryStorageInstallPath, status FROM volume_snapshot "
        "WHERE uuid = ?",
        {uuid});
    if (!snap) return (*reply)(snap.error());
    if (snap->rows.empty()) return (*reply)(invalidArgument("no volume snapshot " + uuid, uuid));
    std::string tree = dbText(snap->rows[0][1]), path = dbText(snap->rows[0][2]);
    if (dbText(snap->rows[0][3]) != "Ready")
      return (*reply)(conflict("snapshot " + uuid + " is " + dbText(snap->rows[0][3])));
    auto volume = loadVolume(self->db_, dbText(snap->rows[0][0]));
    if (!volume) return (*reply)(volume.error());
    if (volume->status != "Ready")
      return (*reply)(conflict("volume " + volume->uuid + " is " + volume->status + "; it must be Ready"));
    // A running guest would keep writing over what the revert put back.
    if (auto ok = vmAllows(self->db_, *volume, {"Created", "Stopped"}, "revert a volume"); !ok)
      return (*reply)(ok.error());
    std::string volumeUuid = volume->uuid;
    self->bus_.request(
        {std::string(kRevertVolumeMessage),
         "",
         {{"primaryStorageUuid", volume->primaryStorageUuid},
          {"resourceUuid", volume->uuid},
          {"installPath", volume->installPath},
          {"size", volume->size},
          {"snapshotInstallPath", path}}},
        [self, uuid, tree, volumeUuid, size = volume->size, reply](Reply reverted) {
          if (!reverted) return (*reply)(reverted.error());
          std::int64_t now = reverted->value("size", size);
          std::int64_t actual = reverted->value("actualSize", std::int64_t{0});
          self->bus_.postBlocking([self, uuid, tree, volumeUuid, now, actual, reply] {
            Status marked = self->db_.transaction([&](Database& tx) -> Status {
              // The storage gave back what a resize since the snapshot had taken.
              auto sized = tx.execute(
                  "UPDATE volume SET size = ?, actualSize = ?, lastOpDate = ? WHERE uuid = ?",
                  {now, actual, nowMillis(), volumeUuid});
              if (!sized) return sized.error();
              auto trees = tx.execute(
                  "UPDATE volume_snapshot_tree SET current = CASE WHEN uuid = ? THEN 1 ELSE 0 "
                  "END WHERE volumeUuid = ?",
                  {tree, volumeUuid});
              if (!trees) return trees.error();
              return statusOf(tx.execute(
                  "UPDATE volume_snapshot SET latest = CASE WHEN uuid = ? THEN 1 ELSE 0 END "
                  "WHERE volumeUuid = ?",
                  {uuid, volumeUuid}));
            });
            if (!marked) return (*reply)(marked.error());
            self->logger_.info("volume.reverted uuid=" + volumeUuid + " snapshot=" + uuid);
            (*reply)(Json::object());
          });
        },
        std::chrono::minutes(30));
  });
}

Reply SnapshotService::update(const Json& p) {
  std::string uuid = textParam(p, "uuid");
  if (auto found = volumeOf(uuid); !found) return found.error();
  if (p.contains("name") && textParam(p, "name").empty())
    return invalidArgument("name must not be empty");
  for (const char* field : {"name", "description"}) {
    if (!p.contains(field)) continue;
    auto set = db_.execute(std::string("UPDATE volume_snapshot SET ") + field +
                               " = ?, lastOpDate = ? WHERE uuid = ?",
                           {textParam(p, field), nowMillis(), uuid});
    if (!set) return set.error();
  }
  return Json{{"uuid", uuid}};
}

// One snapshot of every ready volume of the root volume's VM, taken in turn; when one fails, those
// taken go again.
void SnapshotService::createGroup(const Json& p, const std::string& account, Replier replier) {
  auto reply = share(std::move(replier));
  bus_.postBlocking([self = shared_from_this(), p, account, reply] {
    std::string group = textParam(p, "resourceUuid", newUuid());
    if (!isUuid(group)) return (*reply)(invalidArgument("resourceUuid must be 32 hex digits", group));
    std::string name = textParam(p, "name");
    if (name.empty()) return (*reply)(invalidArgument("name must not be empty"));
    auto root = loadVolume(self->db_, textParam(p, "rootVolumeUuid"));
    if (!root) return (*reply)(root.error());
    if (root->type != "Root" || root->vmInstanceUuid.empty())
      return (*reply)(invalidArgument("rootVolumeUuid must name a VM's root volume", root->uuid));
    auto volumes = self->db_.query(
        "SELECT uuid, name, type, deviceId FROM volume WHERE vmInstanceUuid = ? AND status = "
        "'Ready' ORDER BY deviceId",
        {root->vmInstanceUuid});
    if (!volumes) return (*reply)(volumes.error());
    struct Member {
      std::string volume, volumeName, type, snapshot;
      std::int64_t deviceId;
    };
    auto members = std::make_shared<std::vector<Member>>();
    for (const auto& r : volumes->rows)
      members->push_back({dbText(r[0]), dbText(r[1]), dbText(r[2]), newUuid(), dbInt(r[3])});
    auto taken = std::make_shared<std::vector<std::string>>();
    std::string vm = root->vmInstanceUuid;
    eachInTurn<Member>(
        *members,
        [self, name, taken](const Member& m, std::function<void(Status)> next) {
          self->bus_.request({kCreateSnapshotQueued, m.volume,
                              {{"params", {{"volumeUuid", m.volume},
                                           {"name", name + "-" + m.volumeName},
                                           {"resourceUuid", m.snapshot}}}}},
                             [taken, m, next](Reply made) {
                               if (!made) return next(made.error());
                               taken->push_back(m.volume + ":" + m.snapshot);
                               next(okStatus());
                             },
                             std::chrono::minutes(30));
        },
        [self, p, account, reply, members, taken, group, name, vm](Status all) {
          if (!all) {
            eachInTurn<std::string>(
                *taken,
                [self](const std::string& taken, std::function<void(Status)> next) {
                  auto colon = taken.find(':');
                  self->bus_.request({kDeleteSnapshotQueued, taken.substr(0, colon),
                                      {{"params", {{"uuid", taken.substr(colon + 1)}}}}},
                                     [next](Reply) { next(okStatus()); }, std::chrono::minutes(30));
                },
                [reply, all](Status) { (*reply)(all.error()); });
            return;
          }
          self->bus_.postBlocking([self, p, account, reply, members, group, name, vm] {
            Status recorded = self->db_.transaction([&](Database& tx) -> Status {
              auto now = nowMillis();
              auto added = tx.execute(
                  "INSERT INTO volume_snapshot_group (uuid, name, description, vmInstanceUuid, "
                  "snapshotCount, createDate, lastOpDate) VALUES (?, ?, ?, ?, ?, ?, ?)",
                  {group, name, textParam(p, "description"), vm,
                   static_cast<std::int64_t>(members->size()), now, now});
              if (!added) return added.error();
              for (const auto& m : *members) {
                auto ref = tx.execute(
                    "INSERT INTO volume_snapshot_group_ref (volumeSnapshotUuid, "
                    "volumeSnapshotGroupUuid, volumeUuid, volumeName, volumeType, deviceId, "
                    "snapshotDeleted, volumeSnapshotInstallPath, volumeSnapshotName, createDate, "
                    "lastOpDate) SELECT uuid, ?, volumeUuid, ?, volumeType, ?, 0, "
                    "primaryStorageInstallPath, name, ?, ? FROM volume_snapshot WHERE uuid = ?",
                    {group, m.volumeName, m.deviceId, now, now, m.snapshot});
                if (!ref) return ref.error();
              }
              return {};
            });
            if (!recorded) return (*reply)(recorded.error());
            // The kernel records the group's owner from the reply; its snapshots' owners go here.
            Json owned = Json::array();
            for (const auto& m : *members)
              owned.push_back({{"uuid", m.snapshot}, {"resourceType", "VolumeSnapshotVO"}});
            auto renderGroup = [self, group, reply](Reply) {
              replyInventory(self->bus_, "VolumeSnapshotGroup", group, reply);
            };
            if (account.empty()) return renderGroup(Json::object());
            self->bus_.request({std::string(kRecordOwnershipMessage), "",
                                {{"accountUuid", account}, {"resources", owned}}},
                               renderGroup);
          });
        });
  });
}

// The group's snapshots that still exist go (each with what was taken from it), then the group.
void SnapshotService::removeGroup(const Json& p, Replier replier) {
  auto reply = share(std::move(replier));
  std::string group = textParam(p, "uuid");
  bus_.postBlocking([self = shared_from_this(), group, reply] {
    auto refs = self->db_.query(
        "SELECT volumeSnapshotUuid, volumeUuid FROM volume_snapshot_group_ref WHERE "
        "volumeSnapshotGroupUuid = ? AND snapshotDeleted = 0",
        {group});
    if (!refs) return (*reply)(refs.error());
    std::vector<std::pair<std::string, std::string>> snapshots;  // snapshot, volume
    for (const auto& r : refs->rows) snapshots.emplace_back(dbText(r[0]), dbText(r[1]));
    auto results = std::make_shared<Json>(Json::array());
    using Member = std::pair<std::string, std::string>;
    eachInTurn<Member>(
        snapshots,
        [self, results](const Member& m, std::function<void(Status)> next) {
          self->bus_.request(
              {kDeleteSnapshotQueued, m.second, {{"params", {{"uuid", m.first}}}}},
              [results, m, next](Reply removed) {
                Json result{{"volumeSnapshotUuid", m.first}, {"success", removed.ok()}};
                if (!removed) result["error"] = removed.error().describe();
                results->push_back(std::move(result));
                next(okStatus());  // the others still go
              },
              std::chrono::minutes(30));
        },
        [self, group, results, reply](Status) {
          self->bus_.postBlocking([self, group, results, reply] {
            for (const char* sql :
                 {"DELETE FROM volume_snapshot_group_ref WHERE volumeSnapshotGroupUuid = ?",
                  "DELETE FROM volume_snapshot_group WHERE uuid = ?"}) {
              if (auto gone = self->db_.execute(sql, {group}); !gone) return (*reply)(gone.error());
            }
            (*reply)(Json{{"results", *results}});
          });
        });
  });
}

Reply SnapshotService::updateGroup(const Json& p) {
  std::string uuid = textParam(p, "uuid");
  auto found = db_.query("SELECT 1 FROM volume_snapshot_group WHERE uuid = ?", {uuid});
  if (!found) return found.error();
  if (found->rows.empty()) return invalidArgument("no volume snapshot group " + uuid, uuid);
  if (p.contains("name") && textParam(p, "name").empty())
    return invalidArgument("name must not be empty");
  for (const char* field : {"name", "description"}) {
    if (!p.contains(field)) continue;
    auto set = db_.execute(std::string("UPDATE volume_snapshot_group SET ") + field +
                               " = ?, lastOpDate = ? WHERE uuid = ?",
                           {textParam(p, field), nowMillis(), uuid});
    if (!set) return set.error();
  }
  return Json{{"uuid", uuid}};
}

Result<std::vector<Message>> snapshotFileDeletions(Database& db, const std::string& volumeUuid) {
  auto rows = db.query(
      "SELECT uuid, primaryStorageUuid, primaryStorageInstallPath, size FROM volume_snapshot "
      "WHERE volumeUuid = ?",
      {volumeUuid});
  if (!rows) return rows.error();
  std::vector<Message> out;
  for (const auto& r : rows->rows)
    out.push_back(deletion(dbText(r[0]), dbText(r[1]), dbText(r[2]), dbInt(r[3])));
  return out;
}

Result<std::vector<std::string>> dropSnapshotRows(Database& db, const std::string& volumeUuid) {
  auto rows = db.query("SELECT uuid FROM volume_snapshot WHERE volumeUuid = ?", {volumeUuid});
  if (!rows) return rows.error();
  std::vector<std::string> uuids;
  for (const auto& r : rows->rows) uuids.push_back(dbText(r[0]));
  for (const char* sql :
       {"UPDATE volume_snapshot_group_ref SET snapshotDeleted = 1 WHERE volumeUuid = ?",
        "DELETE FROM volume_snapshot WHERE volumeUuid = ?",
        "DELETE FROM volume_snapshot_tree WHERE volumeUuid = ?"}) {
    if (auto done = db.execute(sql, {volumeUuid}); !done) return done.error();
  }
  return uuids;
}

}  // namespace strato::volume
