// Instance offerings and disk offerings (sections 3.5 and 3.6 of the ZStack manual): templates of
// a VM's CPUs and memory and of a data volume's size, owned by the account that created them.
// ChangeInstanceOffering (3.5.4) changes a VM and belongs to the VM plugin; until that exists the
// kernel answers it "not implemented".
#include <strato/sdk.h>

#include "offering_kinds.h"
#include "offering_service.h"

namespace {

using strato::ApiDeclaration;
using strato::Json;
using strato::Message;
using strato::Reply;
using strato::offering::OfferingKind;
using strato::offering::OfferingService;

// Method, path and the parameters not given here come from the kernel's ZStack catalog.
ApiDeclaration offeringApi(const OfferingKind& kind, const std::string& name) {
  ApiDeclaration decl;
  decl.name = name;
  decl.messageType = "offering." + name;
  decl.inventory = kind.schema.name;
  return decl;
}

void addKind(strato::Registrar& r, const OfferingKind& kind) {
  r.addInventory(kind.schema);
  ApiDeclaration query;
  query.name = "Query" + kind.noun;
  query.inventory = kind.schema.name;
  r.addApi(query);

  auto& bus = r.bus();
  auto service = std::make_shared<OfferingService>(r.database(), r.logger(), kind);
  auto serve = [&r, &bus](ApiDeclaration decl, std::function<Reply(const Json&)> work) {
    r.addApi(decl);
    r.handle(decl.messageType, strato::blockingHandler(bus, [work](const Message& m) {
               return work(m.body["params"]);
             }));
  };

  auto create = offeringApi(kind, "Create" + kind.noun);
  create.params = strato::offering::createParams(kind);
  serve(create, [service](const Json& p) { return service->create(p); });
  auto update = offeringApi(kind, "Update" + kind.noun);
  update.params = strato::offering::updateParams(kind);
  serve(update, [service](const Json& p) { return service->update(p); });
  serve(offeringApi(kind, "Change" + kind.noun + "State"),
        [service](const Json& p) { return service->changeState(p); });

  auto remove = offeringApi(kind, "Delete" + kind.noun);
  r.addApi(remove);
  // What other plugins hang below the offering (VMs, volumes) goes first, then the row; the
  // kernel then forgets its owner, shares and tags.
  r.handle(remove.messageType, [&bus, service](Message m, strato::Replier reply) {
    const Json& p = m.body["params"];
    std::string uuid = p["uuid"];
    strato::deleteWithCascade(
        bus, service->kind().resourceType, uuid, p.value("deleteMode", "Permissive"),
        [service, uuid] { return service->deleteRow(uuid); }, std::move(reply));
  });
}

strato::Status init(strato::Registrar& r) {
  r.addMigrations(strato::offering::migrations());
  addKind(r, strato::offering::instanceOfferingKind());
  addKind(r, strato::offering::diskOfferingKind());
  return {};
}

}  // namespace

STRATO_PLUGIN("offering", "0.1.0", init)
