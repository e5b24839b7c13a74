#include "ip_allocator.h"

#include <strato/handler_util.h>

#include <optional>
#include <random>
#include <unordered_set>
#include <vector>

#include "ip_address.h"

namespace strato::l3 {
namespace {

// Picks that another node had already taken, before giving up with kConflict.
constexpr int kMaxAttempts = 256;

struct Range {
  std::string uuid;
  std::int64_t start = 0;
  std::int64_t end = 0;
  std::string netmask;
  std::string gateway;
};

// The range must still exist: the same statement checks it, so a range deleted meanwhile leaves
// no orphan address behind.
std::string insertSql(DbDialect dialect) {
  return std::string(dialect == DbDialect::kSqlite ? "INSERT OR IGNORE" : "INSERT IGNORE") +
         " INTO used_ip (uuid, ipRangeUuid, l3NetworkUuid, ipVersion, ip, ipInLong, netmask, "
         "gateway, usedFor, vmNicUuid, metaData, createDate, lastOpDate) SELECT ?, uuid, "
         "l3NetworkUuid, 4, ?, ?, netmask, gateway, ?, ?, ?, ?, ? FROM ip_range WHERE uuid = ?";
}

// Used-IP uuids in the UUIDv7 layout (48 bits of milliseconds first, then random bits; still
// 32 hex digits): new rows land at the end of the uuid index instead of on a random page each,
// so a batch of allocations dirties (and writes to the WAL) a few pages rather than one per row.
std::string timeOrderedUuid() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::uint64_t millis = static_cast<std::uint64_t>(nowMillis());
  std::uint64_t a = rng(), b = rng();
  std::string out(32, '0');
  for (int i = 0; i < 12; ++i) out[i] = kHex[(millis >> (4 * (11 - i))) & 0xf];
  for (int i = 12; i < 32; ++i) out[i] = kHex[((i < 24 ? a : b) >> (4 * (i % 12))) & 0xf];
  out[12] = '7';                  // version 7
  out[16] = kHex[8 + (b & 0x3)];  // variant 10xx
  return out;
}

Status validate(const AllocateRequest& req) {
  if (!req.strategy.empty() && req.strategy != kFirstAvailableStrategy &&
      req.strategy != kRandomStrategy) {
    return makeError(ErrorCode::kInvalidArgument,
                     "allocatorStrategy must be FirstAvailableIpAllocatorStrategy or "
                     "RandomIpAllocatorStrategy",
                     req.strategy);
  }
  if (!req.requiredIp.empty() && !parseIpv4(req.requiredIp)) {
    return makeError(ErrorCode::kInvalidArgument, "requiredIp is not an IPv4 address",
                     req.requiredIp);
  }
  return {};
}

}  // namespace

struct IpAllocator::Pool {
  std::mutex mutex;
  bool loaded = false;
  std::string state;
  std::vector<Range> ranges;  // by start
  std::unordered_set<std::int64_t> used;
  std::int64_t cursor = 0;  // no address below it is free, as far as this node knows
  std::mt19937_64 random{std::random_device{}()};

  const Range* rangeOf(std::int64_t key) const {
    for (const auto& r : ranges) {
      if (key >= r.start && key <= r.end) return &r;
    }
    return nullptr;
  }
  static bool allowed(const Range& r, const std::string& only) {
    return only.empty() || r.uuid == only;
  }
  std::optional<std::int64_t> firstAvailable(const std::string& only) {
    for (const auto& r : ranges) {
      if (!allowed(r, only) || r.end < cursor) continue;
      for (std::int64_t k = std::max(r.start, cursor); k <= r.end; ++k) {
        if (!used.count(k)) return k;
      }
    }
    return std::nullopt;
  }
  std::optional<std::int64_t> randomAvailable(const std::string& only) {
    std::int64_t total = 0;
    for (const auto& r : ranges) {
      if (allowed(r, only)) total += r.end - r.start + 1;
    }
    if (total == 0) return std::nullopt;
    std::int64_t offset = static_cast<std::int64_t>(random() % static_cast<std::uint64_t>(total));
    // Probe forward from a random point, wrapping once around the allowed ranges.
    for (std::int64_t step = 0; step < total; ++step) {
      std::int64_t o = (offset + step) % total;
      for (const auto& r : ranges) {
        if (!allowed(r, only)) continue;
        std::int64_t size = r.end - r.start + 1;
        if (o < size) {
          if (!used.count(r.start + o)) return r.start + o;
          break;
        }
        o -= size;
      }
    }
    return std::nullopt;
  }
  void unreserve(std::int64_t key) {
    used.erase(key);
    cursor = std::min(cursor, key);
  }
};

struct IpAllocator::Pick {
  enum Kind { kPicked, kFailed, kLoad } kind = kFailed;
  std::int64_t key = 0;
  Range range;
  Error error;
  std::string uuid;
  std::int64_t now = 0;
};

struct IpAllocator::Attempt {
  AllocateRequest request;
  std::function<void(Result<Json>)> done;
  std::shared_ptr<Pool> pool;
  int tries = 0;
  bool reloaded = false;
};

IpAllocator::IpAllocator(Database& db, MessageBus& bus, Logger& logger)
    : db_(db), bus_(bus), logger_(logger), batcher_(db, bus) {}

IpAllocator::~IpAllocator() = default;

std::shared_ptr<IpAllocator::Pool> IpAllocator::pool(const std::string& l3Uuid) {
  std::lock_guard lock(poolsMutex_);
  auto& p = pools_[l3Uuid];
  if (!p) p = std::make_shared<Pool>();
  return p;
}

// Reads outside the pool's lock (so bus workers picking on it never wait for SQL), then swaps.
Status IpAllocator::load(Pool& p, const std::string& l3Uuid) {
  auto l3 = db_.query("SELECT state FROM l3_network WHERE uuid = ?", {l3Uuid});
  if (!l3) return l3.error();
  if (l3->rows.empty()) {
    forget(l3Uuid);
    return makeError(ErrorCode::kNotFound, "no L3 network " + l3Uuid);
  }
  auto rows = db_.query(
      "SELECT uuid, startKey, endKey, netmask, gateway FROM ip_range WHERE l3NetworkUuid = ? "
      "ORDER BY startKey",
      {l3Uuid});
  if (!rows) return rows.error();
  auto usedRows = db_.query("SELECT ipInLong FROM used_ip WHERE l3NetworkUuid = ?", {l3Uuid});
  if (!usedRows) return usedRows.error();
  std::vector<Range> ranges;
  for (const auto& r : rows->rows) {
    ranges.push_back({dbText(r[0]), dbInt(r[1]), dbInt(r[2]), dbText(r[3]), dbText(r[4])});
  }
  std::unordered_set<std::int64_t> used;
  used.reserve(usedRows->rows.size());
  for (const auto& r : usedRows->rows) used.insert(dbInt(r[0]));
  std::lock_guard lock(p.mutex);
  p.state = dbText(l3->rows[0][0]);
  p.ranges = std::move(ranges);
  p.used = std::move(used);
  p.cursor = p.ranges.empty() ? 0 : p.ranges.front().start;
  p.loaded = true;
  return {};
}

IpAllocator::Pick IpAllocator::pick(Pool& p, const AllocateRequest& req, bool reloaded) {
  Pick out;
  auto fail = [&out](Error e) {
    out.kind = Pick::kFailed;
    out.error = std::move(e);
    return out;
  };
  std::lock_guard lock(p.mutex);
  if (!p.loaded) {
    out.kind = Pick::kLoad;
    return out;
  }
  const std::string& l3 = req.l3NetworkUuid;
  if (p.state == "Disabled" && !req.allowDisabled)
    return fail(conflict("L3 network " + l3 + " is Disabled"));
  if (p.ranges.empty()) {
    return fail(makeError(ErrorCode::kInvalidArgument, "L3 network " + l3 + " has no IP range"));
  }
  if (!req.requiredIp.empty()) {
    std::int64_t key = *parseIpv4(req.requiredIp);
    const Range* r = p.rangeOf(key);
    if (!r || !Pool::allowed(*r, req.ipRangeUuid)) {
      return fail(
          makeError(ErrorCode::kInvalidArgument,
                    "requiredIp " + req.requiredIp + " is in no IP range of L3 network " + l3));
    }
    if (p.used.count(key))
      return fail(conflict("IP " + req.requiredIp + " of L3 network " + l3 + " is already used"));
    out.key = key;
  } else {
    bool random = req.strategy == kRandomStrategy;
    auto picked = random ? p.randomAvailable(req.ipRangeUuid) : p.firstAvailable(req.ipRangeUuid);
    if (!picked) {
      if (reloaded) return fail(conflict("no free IP address left in L3 network " + l3));
      p.loaded = false;  // other nodes may have released some
      out.kind = Pick::kLoad;
      return out;
    }
    out.key = *picked;
    if (!random && req.ipRangeUuid.empty()) p.cursor = out.key + 1;
  }
  out.range = *p.rangeOf(out.key);
  p.used.insert(out.key);  // reserved: concurrent picks on this node skip it
  out.kind = Pick::kPicked;
  out.uuid = timeOrderedUuid();
  out.now = nowMillis();
  return out;
}

namespace {

std::vector<DbValue> rowValues(const AllocateRequest& req, std::int64_t key,
                               const std::string& uuid, const std::string& range,
                               std::int64_t now) {
  auto text = [](const std::string& s) { return s.empty() ? DbValue() : DbValue(s); };
  return {uuid,
          formatIpv4(key),
          key,
          text(req.usedFor),
          text(req.vmNicUuid),
          text(req.metaData),
          now,
          now,
          range};
}

}  // namespace

std::optional<Result<Json>> IpAllocator::settle(const AllocateRequest& req, const Pick& picked,
                                                std::uint64_t changed) {
  if (changed == 1) {
    Json usedIp{{"uuid", picked.uuid},
                {"ipRangeUuid", picked.range.uuid},
                {"l3NetworkUuid", req.l3NetworkUuid},
                {"ipVersion", 4},
                {"ip", formatIpv4(picked.key)},
                {"netmask", picked.range.netmask},
                {"gateway", picked.range.gateway},
                {"ipInLong", picked.key},
                {"createDate", formatGsonDate(picked.now)},
                {"lastOpDate", formatGsonDate(picked.now)}};
    if (!req.usedFor.empty()) usedIp["usedFor"] = req.usedFor;
    if (!req.vmNicUuid.empty()) usedIp["vmNicUuid"] = req.vmNicUuid;
    if (!req.metaData.empty()) usedIp["metaData"] = req.metaData;
    return Result<Json>(std::move(usedIp));
  }
  // Nothing inserted: the range went away, or another node holds the address (it stays marked
  // used here, and the next pick moves on).
  auto exists = db_.query("SELECT 1 FROM ip_range WHERE uuid = ?", {picked.range.uuid});
  if (!exists) return Result<Json>(exists.error());
  if (exists->rows.empty()) {
    invalidate(req.l3NetworkUuid);
    return std::nullopt;
  }
  if (!req.requiredIp.empty()) {
    return Result<Json>(conflict("IP " + req.requiredIp + " of L3 network " + req.l3NetworkUuid +
                                 " is already used"));
  }
  logger_.debug("ipam.taken.elsewhere l3=" + req.l3NetworkUuid +
                " key=" + std::to_string(picked.key));
  return std::nullopt;
}

Result<Json> IpAllocator::allocate(const AllocateRequest& req) {
  if (auto s = validate(req); !s) return s.error();
  auto p = pool(req.l3NetworkUuid);
  bool reloaded = false;
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    Pick picked = pick(*p, req, reloaded);
    if (picked.kind == Pick::kLoad) {
      if (auto s = load(*p, req.l3NetworkUuid); !s) return s.error();
      reloaded = true;
      continue;
    }
    if (picked.kind == Pick::kFailed) return picked.error;
    auto changed = db_.execute(insertSql(db_.dialect()), rowValues(req, picked.key, picked.uuid,
                                                                   picked.range.uuid, picked.now));
    if (!changed) {
      std::lock_guard lock(p->mutex);
      p->unreserve(picked.key);
      return changed.error();
    }
    if (auto settled = settle(req, picked, *changed)) return std::move(*settled);
    p = pool(req.l3NetworkUuid);  // a fresh one if the L3 was forgotten meanwhile
  }
  return conflict("could not allocate an IP in L3 network " + req.l3NetworkUuid,
                  "every candidate was taken meanwhile");
}

void IpAllocator::allocateAsync(AllocateRequest req, std::function<void(Result<Json>)> done) {
  if (auto s = validate(req); !s) return done(s.error());
  auto attempt = std::make_shared<Attempt>();
  attempt->pool = pool(req.l3NetworkUuid);
  attempt->request = std::move(req);
  attempt->done = std::move(done);
  step(std::move(attempt));
}

void IpAllocator::step(std::shared_ptr<Attempt> a) {
  if (++a->tries > kMaxAttempts) {
    return a->done(conflict("could not allocate an IP in L3 network " + a->request.l3NetworkUuid,
                            "every candidate was taken meanwhile"));
  }
  auto picked = std::make_shared<Pick>(pick(*a->pool, a->request, a->reloaded));
  if (picked->kind == Pick::kLoad) {
    // Loading reads the tables: off the bus worker.
    return bus_.postBlocking([this, a] {
      if (auto s = load(*a->pool, a->request.l3NetworkUuid); !s) return a->done(s.error());
      a->reloaded = true;
      step(a);
    });
  }
  if (picked->kind == Pick::kFailed) return a->done(picked->error);
  UsedIpRow row{picked->uuid,       picked->range.uuid,   formatIpv4(picked->key), picked->key,
                a->request.usedFor, a->request.vmNicUuid, a->request.metaData,     picked->now};
  batcher_.insert(std::move(row), [this, a, picked](Result<bool> inserted) {
    if (!inserted) {
      {
        std::lock_guard lock(a->pool->mutex);
        a->pool->unreserve(picked->key);
      }
      return a->done(inserted.error());
    }
    if (auto settled = settle(a->request, *picked, *inserted ? 1 : 0)) {
      return a->done(std::move(*settled));
    }
    a->pool = pool(a->request.l3NetworkUuid);  // a fresh one if the L3 was forgotten meanwhile
    step(a);
  });
}

void IpAllocator::forgetKey(const std::string& l3Uuid, std::int64_t key) {
  std::shared_ptr<Pool> p;
  {
    std::lock_guard lock(poolsMutex_);
    auto it = pools_.find(l3Uuid);
    if (it == pools_.end()) return;
    p = it->second;
  }
  std::lock_guard lock(p->mutex);
  if (p->loaded) p->unreserve(key);
}

Status IpAllocator::release(const std::string& usedIpUuid) {
  auto rows = db_.query("SELECT l3NetworkUuid, ipInLong FROM used_ip WHERE uuid = ?", {usedIpUuid});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return {};
  auto deleted = db_.execute("DELETE FROM used_ip WHERE uuid = ?", {usedIpUuid});
  if (!deleted) return deleted.error();
  forgetKey(dbText(rows->rows[0][0]), dbInt(rows->rows[0][1]));
  return {};
}

void IpAllocator::releaseAsync(std::string usedIpUuid, std::function<void(Status)> done) {
  batcher_.remove(std::move(usedIpUuid),
                  [this, done = std::move(done)](Result<std::optional<Released>> released) {
                    if (!released) return done(released.error());
                    if (*released) forgetKey((*released)->l3NetworkUuid, (*released)->ipInLong);
                    done({});
                  });
}

void IpAllocator::invalidate(const std::string& l3Uuid) {
  std::shared_ptr<Pool> p;
  {
    std::lock_guard lock(poolsMutex_);
    auto it = pools_.find(l3Uuid);
    if (it == pools_.end()) return;
    p = it->second;
  }
  std::lock_guard lock(p->mutex);
  p->loaded = false;
}

void IpAllocator::forget(const std::string& l3Uuid) {
  std::lock_guard lock(poolsMutex_);
  pools_.erase(l3Uuid);
}

}  // namespace strato::l3
