// Clusters (section 4.2 of the ZStack manual): hosts of one hypervisor type inside a zone.
// Hosts hang below a cluster (the host plugin's CascadeNode), clusters below a zone.
#include <strato/sdk.h>

#include "cluster_apis.h"

namespace {

using strato::Json;
using strato::Message;
using strato::Reply;

strato::ApiDeclaration hardwareApi(const char* name) {
  strato::ApiDeclaration decl;
  decl.name = name;
  decl.messageType = std::string("cluster.") + name;
  decl.inventory = "Cluster";
  decl.adminOnly = true;  // hardware belongs to the cloud's operator
  return decl;
}

strato::Status init(strato::Registrar& r) {
  r.addMigrations(
      {{1,
        "clusters",
        {"CREATE TABLE cluster (uuid VARCHAR(32) PRIMARY KEY, name VARCHAR(255) NOT NULL, "
         "description TEXT, state VARCHAR(32) NOT NULL, hypervisorType VARCHAR(64) NOT NULL, "
         "type VARCHAR(32) NOT NULL, zoneUuid VARCHAR(32) NOT NULL, "
         "createDate BIGINT NOT NULL, lastOpDate BIGINT NOT NULL)",
         "CREATE INDEX cluster_zone ON cluster (zoneUuid)",
         "CREATE INDEX cluster_name ON cluster (name)"}}});
  using strato::FieldType;
  r.addInventory(
      {"Cluster",
       "cluster",
       "org.zstack.header.cluster.ClusterInventory",
       {{"uuid"},
        {"name"},
        {"description"},
        {"state"},
        {"hypervisorType"},
        {"type"},
        {"zoneUuid"},
        {"createDate", FieldType::kDate},
        {"lastOpDate", FieldType::kDate}},
       {{"zone", "Zone", "zoneUuid", "uuid"}, {"hosts", "Host", "uuid", "clusterUuid"}}});

  strato::ApiDeclaration query;
  query.name = "QueryCluster";
  query.inventory = "Cluster";
  r.addApi(query);

  auto& db = r.database();
  auto& bus = r.bus();
  const auto& extensions = r.extensions();
  auto serve = [&](strato::ApiDeclaration decl, std::function<Reply(const Json&)> work) {
    r.addApi(decl);
    r.handle(decl.messageType, strato::blockingHandler(bus, [work](const Message& m) {
               return work(m.body["params"]);
             }));
  };

  // The catalog limits hypervisorType to KVM and Simulator; the handler checks it against the
  // drivers actually loaded instead, so a vendor's hypervisor plugin needs no catalog change.
  auto create = hardwareApi("CreateCluster");
  using strato::ParamType;
  create.params = {
      {"zoneUuid", ParamType::kString, true},          {"name", ParamType::kString, true},
      {"description", ParamType::kString, false},      {"hypervisorType", ParamType::kString, true},
      {"type", ParamType::kString, false, {"zstack"}}, {"resourceUuid", ParamType::kString, false}};
  serve(create, [&db, &extensions](const Json& p) {
    return strato::cluster::createCluster(db, extensions, p);
  });
  serve(hardwareApi("UpdateCluster"),
        [&db](const Json& p) { return strato::cluster::updateCluster(db, p); });
  serve(hardwareApi("ChangeClusterState"),
        [&db](const Json& p) { return strato::cluster::changeClusterState(db, p); });
  serve(hardwareApi("UpdateClusterOS"),
        [&db](const Json& p) { return strato::cluster::updateClusterOs(db, p); });

  auto remove = hardwareApi("DeleteCluster");
  r.addApi(remove);
  // Everything below the cluster goes first (hosts, and whatever other plugins declare under
  // ClusterVO); the row only once that succeeded.
  r.handle(remove.messageType, [&bus, &db](Message m, strato::Replier reply) {
    const Json& p = m.body["params"];
    std::string uuid = p["uuid"];
    strato::deleteWithCascade(bus, "ClusterVO", uuid, p.value("deleteMode", "Permissive"),
                              [&db, uuid] { return strato::cluster::deleteClusterRow(db, uuid); },
                              std::move(reply));
  });

  r.addExtension<strato::CascadeNode>("ClusterVO",
                                      std::make_shared<strato::cluster::ClusterCascade>(db));
  return {};
}

}  // namespace

STRATO_PLUGIN("cluster", "0.1.0", init)
