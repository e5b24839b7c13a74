#include "write_batcher.h"

#include <unordered_map>
#include <unordered_set>

namespace strato::l3 {
namespace {

// Rows per statement: 9 bound values each stays far below every back end's limit.
constexpr std::size_t kRowsPerStatement = 400;
// A bound on one transaction, so a long queue still commits (and answers) in steps.
constexpr std::size_t kMaxBatch = 4000;

template <class T>
std::vector<T> takeSome(std::vector<T>& queue) {
  std::vector<T> out;
  if (queue.size() <= kMaxBatch) {
    out.swap(queue);
  } else {
    out.assign(std::make_move_iterator(queue.begin()),
               std::make_move_iterator(queue.begin() + kMaxBatch));
    queue.erase(queue.begin(), queue.begin() + kMaxBatch);
  }
  return out;
}

DbValue text(const std::string& s) { return s.empty() ? DbValue() : DbValue(s); }

}  // namespace

void WriteBatcher::insert(UsedIpRow row, std::function<void(Result<bool>)> done) {
  std::lock_guard lock(mutex_);
  inserts_.push_back({std::move(row), std::move(done)});
  schedule();
}

void WriteBatcher::remove(std::string uuid,
                          std::function<void(Result<std::optional<Released>>)> done) {
  std::lock_guard lock(mutex_);
  removes_.push_back({std::move(uuid), std::move(done)});
  schedule();
}

void WriteBatcher::schedule() {
  if (scheduled_) return;
  scheduled_ = true;
  bus_.postBlocking([this] { flush(); });
}

// INSERT ... SELECT from a derived table of the rows joined to their ranges (a range deleted
// meanwhile drops its rows), ignoring rows whose address is taken; then which uuids made it.
Status WriteBatcher::writeInserts(Database& tx, std::vector<Insert>& batch) {
  const char* verb = tx.dialect() == DbDialect::kSqlite ? "INSERT OR IGNORE" : "INSERT IGNORE";
  for (std::size_t i = 0; i < batch.size(); i += kRowsPerStatement) {
    std::size_t end = std::min(batch.size(), i + kRowsPerStatement);
    std::string rows;
    std::vector<DbValue> values;
    std::vector<DbValue> uuids;
    for (std::size_t k = i; k < end; ++k) {
      const UsedIpRow& r = batch[k].row;
      rows += k == i ? "SELECT ? AS u, ? AS rg, ? AS ip, ? AS n, ? AS f, ? AS nic, ? AS m, ? AS t"
                     : " UNION ALL SELECT ?, ?, ?, ?, ?, ?, ?, ?";
      for (DbValue v : {DbValue(r.uuid), DbValue(r.ipRangeUuid), DbValue(r.ip), DbValue(r.ipInLong),
                        text(r.usedFor), text(r.vmNicUuid), text(r.metaData), DbValue(r.now)})
        values.push_back(std::move(v));
      uuids.emplace_back(r.uuid);
    }
    auto inserted = tx.execute(
        std::string(verb) +
            " INTO used_ip (uuid, ipRangeUuid, l3NetworkUuid, ipVersion, ip, ipInLong, netmask, "
            "gateway, usedFor, vmNicUuid, metaData, createDate, lastOpDate) SELECT v.u, r.uuid, "
            "r.l3NetworkUuid, 4, v.ip, v.n, r.netmask, r.gateway, v.f, v.nic, v.m, v.t, v.t FROM "
            "(" +
            rows + ") v JOIN ip_range r ON r.uuid = v.rg",
        values);
    if (!inserted) return inserted.error();
    std::unordered_set<std::string> present;
    if (*inserted > 0) {
      auto found = tx.query(
          "SELECT uuid FROM used_ip WHERE uuid IN (" + sqlPlaceholders(uuids.size()) + ")", uuids);
      if (!found) return found.error();
      for (const auto& f : found->rows) present.insert(dbText(f[0]));
    }
    for (std::size_t k = i; k < end; ++k) batch[k].inserted = present.count(batch[k].row.uuid) > 0;
  }
  return {};
}

Status WriteBatcher::writeRemoves(Database& tx, std::vector<Remove>& batch) {
  for (std::size_t i = 0; i < batch.size(); i += kRowsPerStatement) {
    std::size_t end = std::min(batch.size(), i + kRowsPerStatement);
    std::vector<DbValue> uuids;
    for (std::size_t k = i; k < end; ++k) uuids.emplace_back(batch[k].uuid);
    std::string in = "(" + sqlPlaceholders(uuids.size()) + ")";
    auto found =
        tx.query("SELECT uuid, l3NetworkUuid, ipInLong FROM used_ip WHERE uuid IN " + in, uuids);
    if (!found) return found.error();
    std::unordered_map<std::string, Released> rows;
    for (const auto& f : found->rows) rows[dbText(f[0])] = {dbText(f[1]), dbInt(f[2])};
    if (!rows.empty()) {
      auto deleted = tx.execute("DELETE FROM used_ip WHERE uuid IN " + in, uuids);
      if (!deleted) return deleted.error();
    }
    for (std::size_t k = i; k < end; ++k) {
      auto it = rows.find(batch[k].uuid);
      if (it != rows.end()) batch[k].released = it->second;
    }
  }
  return {};
}

void WriteBatcher::flush() {
  for (;;) {
    std::vector<Insert> inserts;
    std::vector<Remove> removes;
    {
      std::lock_guard lock(mutex_);
      if (inserts_.empty() && removes_.empty()) {
        scheduled_ = false;
        return;
      }
      inserts = takeSome(inserts_);
      removes = takeSome(removes_);
    }
    auto committed = db_.transaction([&](Database& tx) -> Status {
      if (auto s = writeInserts(tx, inserts); !s) return s;
      return writeRemoves(tx, removes);
    });
    for (auto& i : inserts) {
      i.done(committed ? Result<bool>(i.inserted) : Result<bool>(committed.error()));
    }
    for (auto& r : removes) {
      using Out = Result<std::optional<Released>>;
      r.done(committed ? Out(r.released) : Out(committed.error()));
    }
  }
}

}  // namespace strato::l3
