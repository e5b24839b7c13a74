// Batched used_ip writes for the IPAM. Each allocation or release is one small statement, and a
// commit costs far more than the statement (SQLite here: ~0.2 ms of WAL write per commit, so
// ~5,000 autocommitted inserts a second at best), as does parsing one statement per address.
// Requests are queued; one task on the blocking pool drains the queue and writes everything
// queued in one transaction, a few multi-row statements per batch, then tells each submitter its
// own outcome. Submitting never blocks, so a bus handler can submit and return: no thread waits
// per request.
#pragma once

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <strato/sdk.h>

namespace strato::l3 {

// One used_ip row to insert; ipRangeUuid's row supplies l3NetworkUuid, netmask and gateway, and
// must still exist.
struct UsedIpRow {
  std::string uuid;
  std::string ipRangeUuid;
  std::string ip;
  std::int64_t ipInLong = 0;
  std::string usedFor, vmNicUuid, metaData;
  std::int64_t now = 0;
};

// What a release removed: nullopt when there was no such row.
struct Released {
  std::string l3NetworkUuid;
  std::int64_t ipInLong = 0;
};

class WriteBatcher {
 public:
  WriteBatcher(Database& db, MessageBus& bus) : db_(db), bus_(bus) {}

  // `done(true)` once inserted, `done(false)` when nothing was (the address is taken, or the
  // range is gone), or the error. Thread-safe, never blocks.
  void insert(UsedIpRow row, std::function<void(Result<bool>)> done);
  void remove(std::string usedIpUuid, std::function<void(Result<std::optional<Released>>)> done);

 private:
  struct Insert {
    UsedIpRow row;
    std::function<void(Result<bool>)> done;
    bool inserted = false;
  };
  struct Remove {
    std::string uuid;
    std::function<void(Result<std::optional<Released>>)> done;
    std::optional<Released> released;
  };
  void schedule();  // with mutex_ held
  void flush();
  Status writeInserts(Database& tx, std::vector<Insert>& batch);
  Status writeRemoves(Database& tx, std::vector<Remove>& batch);

  Database& db_;
  MessageBus& bus_;
  std::mutex mutex_;
  std::vector<Insert> inserts_;
  std::vector<Remove> removes_;
  bool scheduled_ = false;
};

}  // namespace strato::l3
