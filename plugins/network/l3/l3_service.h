// The L3 network handlers of section 5.2 (without IP ranges: ip_ranges.h; and the IPAM reads:
// ip_queries.h). Every function blocks (SQL): run it on the blocking pool, queued on the L3.
#pragma once

#include <memory>

#include "ip_allocator.h"
#include "l3_store.h"

namespace strato::l3 {

class L3NetworkService {
 public:
  L3NetworkService(Database& db, MessageBus& bus, IpAllocator& allocator, Logger& logger)
      : db_(db), bus_(bus), allocator_(allocator), logger_(logger) {}

  // `session` is the caller's ({"admin": bool, ...}): only an admin makes a system network.
  Reply create(const Json& params, const Json& session);
  Reply update(const Json& params, const Json& session);
  Reply changeState(const Json& params);
  Reply addDns(const Json& params);
  Reply removeDns(const Json& params);
  Reply addHostRoute(const Json& params);
  Reply removeHostRoute(const Json& params);
  Reply getMtu(const std::string& uuid);
  Reply setMtu(const Json& params);
  Reply getRouterInterfaceIp(const std::string& uuid);
  Reply setRouterInterfaceIp(const Json& params);
  Reply deleteRow(const std::string& uuid);

  // Cascade: the L3 networks' rows with their ranges, used IPs and service refs.
  Status removeNetworks(const std::vector<std::string>& uuids);

 private:
  Status writeList(const std::string& uuid, const char* column, const Json& list);

  Database& db_;
  MessageBus& bus_;
  IpAllocator& allocator_;
  Logger& logger_;
};

}  // namespace strato::l3
