// GetInterdependentL3NetworksImages (3.1.28): for a new VM in a zone, the L3 networks that go
// with an image, or the images that go with L3 networks. An image goes with a zone when a backup
// storage of the zone holds a ready copy; an L3 network when its L2 network is attached to a
// cluster of the zone.
#include "vm_service.h"

namespace strato::vm {

Reply VmService::interdependents(const Json& p) {
  std::string zone = textParam(p, "zoneUuid");
  std::string image = textParam(p, "imageUuid");
  std::vector<std::string> l3s;
  for (const auto& l3 : p.value("l3NetworkUuids", Json::array()))
    if (l3.is_string()) l3s.push_back(l3);
  if (image.empty() == l3s.empty())
    return invalidArgument("give either imageUuid or l3NetworkUuids");
  const std::string copyInZone =
      "EXISTS (SELECT 1 FROM backup_storage_zone_ref z JOIN image_backup_storage_ref r ON "
      "r.backupStorageUuid = z.backupStorageUuid WHERE z.zoneUuid = ? AND r.imageUuid = i.uuid AND "
      "r.status = 'Ready')";
  Json uuids = Json::array();
  if (!image.empty()) {
    auto usable = db_.query("SELECT 1 FROM image i WHERE i.uuid = ? AND " + copyInZone, {image, zone});
    if (!usable) return usable.error();
    if (usable->rows.empty()) return Json{{"inventory", "L3Network"}, {"uuids", uuids}};
    auto rows = db_.query(
        "SELECT l3.uuid FROM l3_network l3 WHERE l3.zoneUuid = ? AND l3.state = 'Enabled' AND "
        "EXISTS (SELECT 1 FROM l2_network_cluster_ref c JOIN cluster cl ON cl.uuid = "
        "c.clusterUuid WHERE c.l2NetworkUuid = l3.l2NetworkUuid AND cl.zoneUuid = ?) ORDER BY "
        "l3.createDate, l3.uuid",
        {zone, zone});
    if (!rows) return rows.error();
    for (const auto& r : rows->rows) uuids.push_back(dbText(r[0]));
    return Json{{"inventory", "L3Network"}, {"uuids", uuids}};
  }
  for (const auto& l3 : l3s) {
    auto inZone = db_.query("SELECT 1 FROM l3_network WHERE uuid = ? AND zoneUuid = ?", {l3, zone});
    if (!inZone) return inZone.error();
    if (inZone->rows.empty()) return Json{{"inventory", "Image"}, {"uuids", uuids}};
  }
  auto rows = db_.query(
      "SELECT i.uuid FROM image i WHERE i.mediaType IN ('RootVolumeTemplate', 'ISO') AND "
      "i.state = 'Enabled' AND i.status = 'Ready' AND " + copyInZone +
          " ORDER BY i.createDate, i.uuid",
      {zone});
  if (!rows) return rows.error();
  for (const auto& r : rows->rows) uuids.push_back(dbText(r[0]));
  return Json{{"inventory", "Image"}, {"uuids", uuids}};
}

}  // namespace strato::vm
