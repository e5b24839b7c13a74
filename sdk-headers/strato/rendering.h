// Replying with resources as their Query APIs render them (kRenderInventoryMessage), from
// handlers that must not wait on the bus. Header-only.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "strato/bus.h"
#include "strato/cascade.h"

namespace strato {

// A Replier several callbacks may hold; the first reply wins.
using SharedReplier = std::shared_ptr<Replier>;
inline SharedReplier share(Replier reply) { return std::make_shared<Replier>(std::move(reply)); }

// Replies with the resource as its Query API renders it.
inline void replyInventory(MessageBus& bus, const std::string& inventory, const std::string& uuid,
                           SharedReplier reply) {
  bus.request({std::string(kRenderInventoryMessage), "", {{"inventory", inventory}, {"uuid", uuid}}},
              [reply](Reply rendered) { (*reply)(std::move(rendered)); });
}

// One list of a reply: under `key`, the resources `uuids` as `inventory`'s Query API renders them.
struct RenderedList {
  std::string key;
  std::string inventory;
  std::vector<std::string> uuids;
};

// Replies {key: [...], ...} with each resource rendered, in the order given; one that went away
// meanwhile is left out.
inline void replyInventoryLists(MessageBus& bus, std::vector<RenderedList> lists,
                                SharedReplier reply) {
  struct Gathered {
    std::mutex mutex;
    std::vector<RenderedList> lists;
    std::vector<std::vector<Json>> rows;
    std::size_t left = 0;
  };
  auto g = std::make_shared<Gathered>();
  g->lists = std::move(lists);
  for (const auto& l : g->lists) {
    g->rows.emplace_back(l.uuids.size());
    g->left += l.uuids.size();
  }
  auto finish = [g, reply] {
    Json out = Json::object();
    for (std::size_t l = 0; l < g->lists.size(); ++l) {
      Json rows = Json::array();
      for (auto& row : g->rows[l])
        if (!row.is_null()) rows.push_back(std::move(row));
      out[g->lists[l].key] = std::move(rows);
    }
    (*reply)(std::move(out));
  };
  if (g->left == 0) return finish();
  for (std::size_t l = 0; l < g->lists.size(); ++l) {
    for (std::size_t i = 0; i < g->lists[l].uuids.size(); ++i) {
      bus.request({std::string(kRenderInventoryMessage),
                   "",
                   {{"inventory", g->lists[l].inventory}, {"uuid", g->lists[l].uuids[i]}}},
                  [g, l, i, finish](Reply rendered) {
                    std::lock_guard lock(g->mutex);
                    if (rendered) g->rows[l][i] = std::move((*rendered)["inventory"]);
                    if (--g->left == 0) finish();
                  });
    }
  }
}

// Replies {"inventories": [...]}.
inline void replyInventories(MessageBus& bus, const std::string& inventory,
                             const std::vector<std::string>& uuids, SharedReplier reply) {
  replyInventoryLists(bus, {{"inventories", inventory, uuids}}, std::move(reply));
}

// A handler for the APIs that answer with lists of resources (candidates, say): `find` runs on the
// blocking pool and names them; the reply is each list rendered under its key.
inline RequestHandler replyingRendered(
    MessageBus& bus, std::function<Result<std::vector<RenderedList>>(const Message&)> find) {
  return [&bus, find = std::move(find)](Message m, Replier replier) {
    auto reply = share(std::move(replier));
    bus.postBlocking([&bus, find, reply, m = std::move(m)] {
      auto lists = find(m);
      if (!lists) return (*reply)(lists.error());
      replyInventoryLists(bus, std::move(*lists), reply);
    });
  };
}

// The usual one list: {"inventories": [...]} from a finder's {"uuids": [...]}.
inline Result<std::vector<RenderedList>> inventoriesOf(const std::string& inventory,
                                                       const Reply& found) {
  if (!found) return found.error();
  return std::vector<RenderedList>{
      {"inventories", inventory, (*found)["uuids"].get<std::vector<std::string>>()}};
}

}  // namespace strato
