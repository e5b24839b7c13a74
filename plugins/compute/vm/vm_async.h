// Flow steps for handlers that mix SQL, blocking hypervisor calls and bus requests. No step waits
// on the bus from a blocking thread: hundreds of VM operations run at once on a pool of a few
// threads, and a blocking thread that waited for another blocking handler could starve the pool.
#pragma once

#include <algorithm>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>
#include <utility>

#include <strato/in_turn.h>
#include <strato/sdk.h>

namespace strato::vm {

using SharedReplier = std::shared_ptr<Replier>;
inline SharedReplier share(Replier reply) { return std::make_shared<Replier>(std::move(reply)); }

// A step whose work blocks (SQL, a VmDriver call): it runs on the blocking pool.
inline FlowAction onBlocking(MessageBus& bus, std::function<Status()> work) {
  return [&bus, work = std::move(work)](FlowDone done) {
    bus.postBlocking([work, done] { done(work()); });
  };
}

// An undo step whose work blocks; it cannot fail the rollback, so errors are the work's to log.
inline FlowAction undoOnBlocking(MessageBus& bus, std::function<void()> work) {
  return [&bus, work = std::move(work)](FlowDone done) {
    bus.postBlocking([work, done] {
      work();
      done(okStatus());
    });
  };
}

// A bus request as a step: `take` reads the reply (on a bus worker: no SQL there).
inline FlowAction asking(MessageBus& bus, std::function<Message()> make,
                         std::function<Status(const Json&)> take = {}) {
  return [&bus, make = std::move(make), take = std::move(take)](FlowDone done) {
    bus.request(make(), [take, done](Reply reply) {
      if (!reply) return done(reply.error());
      done(take ? take(*reply) : okStatus());
    });
  };
}

// Replies with the resource as its Query API renders it.
inline void replyInventory(MessageBus& bus, const std::string& inventory, const std::string& uuid,
                           SharedReplier reply) {
  bus.request({std::string(kRenderInventoryMessage), "", {{"inventory", inventory}, {"uuid", uuid}}},
              [reply](Reply rendered) { (*reply)(std::move(rendered)); });
}

// Replies {"inventories": [...]} with each resource rendered, in the order given; one that went
// away meanwhile is left out.
inline void replyInventories(MessageBus& bus, const std::string& inventory,
                             const std::vector<std::string>& uuids, SharedReplier reply) {
  struct Gathered {
    std::mutex mutex;
    std::vector<Json> rows;
    std::size_t left;
  };
  if (uuids.empty()) return (*reply)(Json{{"inventories", Json::array()}});
  auto g = std::make_shared<Gathered>();
  g->rows.resize(uuids.size());
  g->left = uuids.size();
  for (std::size_t i = 0; i < uuids.size(); ++i) {
    bus.request(
        {std::string(kRenderInventoryMessage), "", {{"inventory", inventory}, {"uuid", uuids[i]}}},
        [g, i, reply](Reply rendered) {
          std::lock_guard lock(g->mutex);
          if (rendered) g->rows[i] = std::move((*rendered)["inventory"]);
          if (--g->left > 0) return;
          Json rows = Json::array();
          for (auto& row : g->rows)
            if (!row.is_null()) rows.push_back(std::move(row));
          (*reply)(Json{{"inventories", std::move(rows)}});
        });
  }
}

}  // namespace strato::vm
