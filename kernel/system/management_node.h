// This management node's row in management_node: written when the node starts serving,
// heartbeated while it runs, removed when it stops. Other nodes (and QueryManagementNode) read it.
#pragma once

#include <string>

#include "strato/database.h"
#include "util/periodic_task.h"

namespace strato::kernel {

class ManagementNodeRecord {
 public:
  explicit ManagementNodeRecord(Database& db) : db_(db) {}
  ~ManagementNodeRecord() { leave(); }

  Status join(const std::string& uuid, const std::string& hostName, int port,
              const std::string& version);
  void leave();

 private:
  Database& db_;
  std::string uuid_;
  PeriodicTask heartbeat_;
};

}  // namespace strato::kernel
