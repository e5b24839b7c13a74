#include "l3_schema.h"

namespace strato::l3 {
namespace {

Migration tables() {
  return {
      1,
      "L3 networks, IP ranges, used IPs, network service providers and their L3 refs",
      {// dns and hostRoute live only in their JSON columns (small ordered lists, changed one
       // item at a time by requests queued per L3); ipRanges and networkServices summarise the
       // rows of their own tables and are rewritten in the transactions that change those.
       // mtu (NULL = the L2's) and routerInterfaceIp are not part of the inventory.
       "CREATE TABLE l3_network (uuid VARCHAR(32) PRIMARY KEY, name VARCHAR(255) NOT NULL, "
       "description TEXT, type VARCHAR(64) NOT NULL, zoneUuid VARCHAR(32) NOT NULL, "
       "l2NetworkUuid VARCHAR(32) NOT NULL, state VARCHAR(32) NOT NULL, dnsDomain VARCHAR(255), "
       "isSystem INTEGER NOT NULL, category VARCHAR(32) NOT NULL, ipVersion INTEGER NOT NULL, "
       "mtu INTEGER, routerInterfaceIp VARCHAR(64), dns TEXT NOT NULL, hostRoute TEXT NOT NULL, "
       "ipRanges TEXT NOT NULL, networkServices TEXT NOT NULL, createDate BIGINT NOT NULL, "
       "lastOpDate BIGINT NOT NULL)",
       "CREATE INDEX l3_network_l2 ON l3_network (l2NetworkUuid)",
       "CREATE INDEX l3_network_zone ON l3_network (zoneUuid)",
       "CREATE INDEX l3_network_name ON l3_network (name)",
       // Addresses as text plus numeric keys (IPv4: the address as an integer) for ordering,
       // overlap checks and the used-IP index.
       "CREATE TABLE ip_range (uuid VARCHAR(32) PRIMARY KEY, l3NetworkUuid VARCHAR(32) NOT NULL, "
       "name VARCHAR(255) NOT NULL, description TEXT, startIp VARCHAR(64) NOT NULL, "
       "endIp VARCHAR(64) NOT NULL, netmask VARCHAR(64) NOT NULL, gateway VARCHAR(64) NOT NULL, "
       "networkCidr VARCHAR(64) NOT NULL, ipVersion INTEGER NOT NULL, prefixLen INTEGER NOT NULL, "
       "startKey BIGINT NOT NULL, endKey BIGINT NOT NULL, createDate BIGINT NOT NULL, "
       "lastOpDate BIGINT NOT NULL)",
       "CREATE INDEX ip_range_l3 ON ip_range (l3NetworkUuid)",
       // The database guarantees that no address of an L3 is handed out twice, also when
       // several management nodes allocate at once.
       "CREATE TABLE used_ip (uuid VARCHAR(32) PRIMARY KEY, ipRangeUuid VARCHAR(32) NOT NULL, "
       "l3NetworkUuid VARCHAR(32) NOT NULL, ipVersion INTEGER NOT NULL, ip VARCHAR(64) NOT NULL, "
       "ipInLong BIGINT NOT NULL, netmask VARCHAR(64) NOT NULL, gateway VARCHAR(64) NOT NULL, "
       "usedFor VARCHAR(64), vmNicUuid VARCHAR(32), metaData VARCHAR(1024), "
       "createDate BIGINT NOT NULL, lastOpDate BIGINT NOT NULL, "
       "UNIQUE (l3NetworkUuid, ipInLong))",
       "CREATE INDEX used_ip_range ON used_ip (ipRangeUuid)",
       "CREATE TABLE network_service_provider (uuid VARCHAR(32) PRIMARY KEY, "
       "name VARCHAR(255) NOT NULL, description TEXT, type VARCHAR(64) NOT NULL UNIQUE, "
       "networkServiceTypes TEXT NOT NULL, attachedL2NetworkUuids TEXT NOT NULL, "
       "createDate BIGINT NOT NULL, lastOpDate BIGINT NOT NULL)",
       "CREATE TABLE network_service_l3_ref (l3NetworkUuid VARCHAR(32) NOT NULL, "
       "networkServiceProviderUuid VARCHAR(32) NOT NULL, "
       "networkServiceType VARCHAR(64) NOT NULL, PRIMARY KEY (l3NetworkUuid, networkServiceType))",
       "CREATE INDEX network_service_l3_ref_provider ON network_service_l3_ref "
       "(networkServiceProviderUuid)"}};
}

}  // namespace

void addSchema(Registrar& r) {
  r.addMigrations({tables()});
  using F = FieldType;
  InventorySchema l3{"L3Network",
                     "l3_network",
                     "org.zstack.header.network.l3.L3NetworkInventory",
                     {{"uuid"},
                      {"name"},
                      {"description"},
                      {"type"},
                      {"zoneUuid"},
                      {"l2NetworkUuid"},
                      {"state"},
                      {"dnsDomain"},
                      {"system", F::kBoolean, "isSystem"},
                      {"category"},
                      {"createDate", F::kDate},
                      {"lastOpDate", F::kDate},
                      {"dns", F::kJson},
                      {"ipRanges", F::kJson},
                      {"networkServices", F::kJson},
                      {"hostRoute", F::kJson}},
                     {{"zone", "Zone", "zoneUuid", "uuid"},
                      {"l2Network", "L2Network", "l2NetworkUuid", "uuid"},
                      {"ranges", "IpRange", "uuid", "l3NetworkUuid"},
                      {"usedIps", "UsedIp", "uuid", "l3NetworkUuid"},
                      {"serviceRefs", "NetworkServiceL3NetworkRef", "uuid", "l3NetworkUuid"}}};
  // Normal accounts own the L3 networks and IP ranges they create (ZStack lets them).
  l3.ownedByAccount = true;
  r.addInventory(l3);
  InventorySchema range{"IpRange",
                        "ip_range",
                        "org.zstack.header.network.l3.IpRangeInventory",
                        {{"uuid"},
                         {"l3NetworkUuid"},
                         {"name"},
                         {"description"},
                         {"startIp"},
                         {"endIp"},
                         {"netmask"},
                         {"gateway"},
                         {"networkCidr"},
                         {"ipVersion", F::kInteger},
                         {"prefixLen", F::kInteger},
                         {"createDate", F::kDate},
                         {"lastOpDate", F::kDate}},
                        {{"l3Network", "L3Network", "l3NetworkUuid", "uuid"}}};
  range.ownedByAccount = true;
  r.addInventory(range);
  r.addInventory({"UsedIp",
                  "used_ip",
                  "org.zstack.header.network.l3.UsedIpInventory",
                  {{"uuid"},
                   {"ipRangeUuid"},
                   {"l3NetworkUuid"},
                   {"ipVersion", F::kInteger},
                   {"ip"},
                   {"netmask"},
                   {"gateway"},
                   {"usedFor"},
                   {"ipInLong", F::kInteger},
                   {"vmNicUuid"},
                   {"metaData"},
                   {"createDate", F::kDate},
                   {"lastOpDate", F::kDate}},
                  {{"l3Network", "L3Network", "l3NetworkUuid", "uuid"},
                   {"ipRange", "IpRange", "ipRangeUuid", "uuid"}}});
  r.addInventory({"NetworkServiceProvider",
                  "network_service_provider",
                  "org.zstack.header.network.service.NetworkServiceProviderInventory",
                  {{"uuid"},
                   {"name"},
                   {"description"},
                   {"type"},
                   {"createDate", F::kDate},
                   {"lastOpDate", F::kDate},
                   {"networkServiceTypes", F::kJson},
                   {"attachedL2NetworkUuids", F::kJson}},
                  {}});
  r.addInventory(
      {"NetworkServiceL3NetworkRef",
       "network_service_l3_ref",
       "org.zstack.header.network.service.NetworkServiceL3NetworkRefInventory",
       {{"l3NetworkUuid"}, {"networkServiceProviderUuid"}, {"networkServiceType"}},
       {{"l3Network", "L3Network", "l3NetworkUuid", "uuid"},
        {"serviceProvider", "NetworkServiceProvider", "networkServiceProviderUuid", "uuid"}}});
}

}  // namespace strato::l3
