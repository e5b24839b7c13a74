// IPAM: hands out and takes back addresses of an L3 network's IP ranges.
//
// Correctness rests on the database: used_ip has UNIQUE (l3NetworkUuid, ipInLong), and an address
// is taken by one INSERT ... SELECT that also requires its range to exist, so no address is
// handed out twice and none is handed out of a range being deleted, whatever the number of
// management nodes. Speed rests on memory: per L3, this node keeps its ranges and the keys it
// believes used (loaded once, then kept up to date by its own allocations and releases), plus,
// for FirstAvailableIpAllocatorStrategy, a cursor below which nothing is free. A pick is then
// O(1) amortised and needs no table scan; when the hint is wrong (another node took the address)
// the INSERT changes nothing, the key is marked used and the next one is tried; when the hint
// says the L3 is full it is reloaded once before answering so.
//
// The bus path (allocateAsync / releaseAsync) picks on the bus worker and hands the write to a
// WriteBatcher: many allocations share one transaction and no thread waits per request. The
// synchronous path (allocate / release, for handlers already on the blocking pool) writes alone.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include <strato/sdk.h>

#include "write_batcher.h"

namespace strato::l3 {

inline constexpr std::string_view kFirstAvailableStrategy = "FirstAvailableIpAllocatorStrategy";
inline constexpr std::string_view kRandomStrategy = "RandomIpAllocatorStrategy";

struct AllocateRequest {
  std::string l3NetworkUuid;
  std::string requiredIp;   // empty: any free address
  std::string strategy;     // empty: first available
  std::string ipRangeUuid;  // empty: any range of the L3
  std::string usedFor;      // e.g. "Vm", "DHCP"
  std::string vmNicUuid;
  std::string metaData;        // who holds it, free text
  bool allowDisabled = false;  // a Disabled L3 gives no address to VMs, but to its services
};

class IpAllocator {
 public:
  IpAllocator(Database& db, MessageBus& bus, Logger& logger);
  ~IpAllocator();

  // The UsedIp inventory of the new address. kInvalidArgument for a bad request (requiredIp
  // outside every range, unknown strategy, no range at all), kConflict when the address asked
  // for is taken or the L3 is Disabled or full, kNotFound for an unknown L3. Blocking.
  Result<Json> allocate(const AllocateRequest& request);
  // The same without blocking: `done` runs once, on a bus or blocking-pool thread.
  void allocateAsync(AllocateRequest request, std::function<void(Result<Json>)> done);
  // Idempotent: an unknown uuid is already released. Blocking / not blocking.
  Status release(const std::string& usedIpUuid);
  void releaseAsync(std::string usedIpUuid, std::function<void(Status)> done);
  // The ranges or the state of the L3 changed: reload before the next pick.
  void invalidate(const std::string& l3Uuid);
  // The L3 is gone.
  void forget(const std::string& l3Uuid);

 private:
  struct Pool;
  struct Pick;
  struct Attempt;
  std::shared_ptr<Pool> pool(const std::string& l3Uuid);
  Status load(Pool& pool, const std::string& l3Uuid);
  Pick pick(Pool& pool, const AllocateRequest& request, bool reloaded);
  // After an INSERT that changed `changed` rows: the inventory, an error, or nullopt to retry.
  std::optional<Result<Json>> settle(const AllocateRequest& request, const Pick& picked,
                                     std::uint64_t changed);
  void step(std::shared_ptr<Attempt> attempt);
  void forgetKey(const std::string& l3Uuid, std::int64_t key);

  Database& db_;
  MessageBus& bus_;
  Logger& logger_;
  WriteBatcher batcher_;
  std::mutex poolsMutex_;
  std::unordered_map<std::string, std::shared_ptr<Pool>> pools_;
};

}  // namespace strato::l3
