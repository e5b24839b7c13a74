// kernel.CascadeDelete: walks the CascadeNode graph below the given resources, checks everything
// it found, then removes it deepest first and forgets its ownership, shares and tags. Also the
// other resource services plugins ask the kernel for: ForgetResources, RecordOwnership and
// RenderInventory (strato/cascade.h).
#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <map>
#include <set>

#include "bus/asio_bus.h"
#include "query/query_engine.h"
#include "rest/access_control.h"
#include "strato/cascade.h"
#include "strato/handler_util.h"
#include "system/system_apis.h"

namespace strato::kernel {
namespace {

// A graph with a cycle, or more than this many resources below, is refused rather than walked.
constexpr std::size_t kMaxCascade = 100000;

struct Found {
  std::shared_ptr<CascadeNode> node;
  std::vector<std::string> uuids;
};

Result<std::vector<Found>> collect(const std::vector<std::shared_ptr<CascadeNode>>& nodes,
                                   const std::string& type, const std::vector<std::string>& uuids) {
  std::vector<Found> found;
  std::map<std::string, std::set<std::string>> seen;
  std::deque<std::pair<std::string, std::vector<std::string>>> frontier{{type, uuids}};
  std::size_t total = 0;
  while (!frontier.empty()) {
    auto [parentType, parents] = std::move(frontier.front());
    frontier.pop_front();
    for (const auto& node : nodes) {
      auto parentTypes = node->parentTypes();
      if (std::find(parentTypes.begin(), parentTypes.end(), parentType) == parentTypes.end())
        continue;
      auto below = node->below(parentType, parents);
      if (!below) return below.error();
      std::vector<std::string> fresh;
      for (auto& uuid : *below) {
        if (seen[node->resourceType()].insert(uuid).second) fresh.push_back(std::move(uuid));
      }
      if (fresh.empty()) continue;
      total += fresh.size();
      if (total > kMaxCascade) {
        return makeError(ErrorCode::kConflict, "too many resources below to delete in one go",
                         std::to_string(total) + " found");
      }
      found.push_back({node, fresh});
      frontier.emplace_back(node->resourceType(), std::move(fresh));
    }
  }
  return found;
}

Reply cascadeDelete(SystemApiServices& s, const Json& body) {
  if (!body.is_object() || !body.contains("resourceType") || !body["resourceType"].is_string() ||
      !body.contains("uuids") || !body["uuids"].is_array()) {
    return makeError(ErrorCode::kInvalidArgument,
                     "a cascade needs a resourceType and a list of uuids");
  }
  DeleteMode mode = deleteModeFrom(body.value("deleteMode", "Permissive"));
  auto found = collect(s.extensions.all<CascadeNode>(), body["resourceType"],
                       body["uuids"].get<std::vector<std::string>>());
  if (!found) return found.error();
  for (const auto& f : *found) {
    if (auto ok = f.node->check(f.uuids, mode); !ok) return ok.error();
  }
  Json deleted = Json::object();
  for (auto it = found->rbegin(); it != found->rend(); ++it) {
    if (auto removed = it->node->remove(it->uuids, mode); !removed) {
      Error e = removed.error();
      e.message = fmt::format("deleting {} {} failed: {}", it->uuids.size(),
                              it->node->resourceType(), e.message);
      return e;
    }
    if (auto f = forgetResources(s.database, it->uuids); !f) return f.error();
    for (const auto& uuid : it->uuids) deleted[it->node->resourceType()].push_back(uuid);
  }
  return Json{{"deleted", deleted}};
}

// Owners of resources a plugin created for an account (kRecordOwnershipMessage).
Reply recordOwnership(Database& db, const Json& body) {
  std::string account = body.value("accountUuid", "");
  if (account.empty() || !body.contains("resources") || !body["resources"].is_array()) {
    return makeError(ErrorCode::kInvalidArgument, "ownership needs an accountUuid and resources");
  }
  for (const auto& r : body["resources"]) {
    auto recorded = recordOwner(db, r.value("uuid", ""), r.value("resourceType", ""), account);
    if (!recorded) return recorded.error();
  }
  return Json::object();
}

// One resource as its Query API renders it (kRenderInventoryMessage).
Reply renderInventory(SystemApiServices& s, const Json& body) {
  QueryRequest request;
  request.uuid = body.value("uuid", "");
  request.conditions = stringListParam(body, "conditions");
  if (request.uuid.empty() && request.conditions.empty())
    return makeError(ErrorCode::kInvalidArgument, "render needs a uuid or conditions");
  auto found = QueryEngine(s.database, s.inventories).run(body.value("inventory", ""), request);
  if (!found) return found.error();
  const Json& rows = (*found)["inventories"];
  if (rows.empty()) {
    std::string which = request.uuid.empty() ? body["conditions"].dump() : request.uuid;
    return makeError(ErrorCode::kNotFound, "no " + body.value("inventory", "") + " " + which);
  }
  return Json{{"inventory", rows[0]}};
}

}  // namespace

Status addCascade(SystemApiServices& s) {
  auto rendered = s.bus.registerHandler(
      std::string(kRenderInventoryMessage),
      blockingHandler(s.bus, [&s](const Message& m) { return renderInventory(s, m.body); }));
  if (!rendered) return rendered;
  auto owners = s.bus.registerHandler(
      std::string(kRecordOwnershipMessage),
      blockingHandler(s.bus, [&s](const Message& m) { return recordOwnership(s.database, m.body); }));
  if (!owners) return owners;
  auto registered = s.bus.registerHandler(
      std::string(kCascadeDeleteMessage),
      blockingHandler(s.bus, [&s](const Message& m) { return cascadeDelete(s, m.body); }));
  if (!registered) return registered;
  return s.bus.registerHandler(std::string(kForgetResourcesMessage),
                               blockingHandler(s.bus, [&s](const Message& m) -> Reply {
                                 std::vector<std::string> uuids;
                                 if (m.body.contains("uuids") && m.body["uuids"].is_array()) {
                                   for (const auto& u : m.body["uuids"])
                                     if (u.is_string()) uuids.push_back(u.get<std::string>());
                                 }
                                 if (auto f = forgetResources(s.database, uuids); !f) return f.error();
                                 return Json::object();
                               }));
}

}  // namespace strato::kernel
