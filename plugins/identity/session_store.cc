#include "session_store.h"

#include <algorithm>
#include <cctype>

#include "identity_configs.h"
#include "strato/time_format.h"
#include "strato/uuid.h"

namespace strato::identity {
namespace {

constexpr const char* kGone = "session expired or does not exist";

// Session uuids are issued lowercase; MariaDB would match another case anyway, so fold it here
// and the cache cannot hold one session under two keys. Garbage never reaches the database.
std::optional<std::string> normalizedUuid(std::string_view uuid) {
  if (!isUuid(uuid)) return std::nullopt;
  std::string out(uuid);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

Json Session::inventory() const {
  return Json{{"uuid", uuid},
              {"accountUuid", accountUuid},
              {"userUuid", userUuid},
              {"expiredDate", formatGsonDate(expiredDate)},
              {"createDate", formatGsonDate(createDate)}};
}

SessionInfo Session::info() const { return SessionInfo{uuid, accountUuid, userUuid, admin}; }

SessionStore::SessionStore(Database& db, const GlobalConfigView& configs)
    : db_(db), configs_(configs) {}

Result<SessionInfo> SessionStore::resolve(std::string_view sessionUuid) {
  auto session = findLive(sessionUuid);
  if (!session) return session.error();
  if (!*session) return makeError(ErrorCode::kUnauthenticated, kGone);
  return (*session)->info();
}

Result<std::optional<Session>> SessionStore::findLive(std::string_view sessionUuid) {
  auto key = normalizedUuid(sessionUuid);
  if (!key) return std::optional<Session>();
  std::int64_t now = nowMillis();
  {
    std::lock_guard lock(cacheMutex_);
    auto it = cache_.find(*key);
    if (it != cache_.end() && it->second.session.expiredDate > now &&
        now - it->second.checkedAt < kRecheckMs) {
      return std::optional<Session>(it->second.session);
    }
  }
  // Missing, expired or due for a recheck: ask the database, which another node may have
  // changed (renewal, logout) since.
  auto rows = db_.query(
      "SELECT s.uuid, s.accountUuid, s.userUuid, s.createDate, s.expiredDate, a.type "
      "FROM session s JOIN account a ON a.uuid = s.accountUuid WHERE s.uuid = ?",
      {*key});
  if (!rows) return rows.error();
  if (rows->rows.empty()) {
    forget(*key);
    return std::optional<Session>();
  }
  const auto& row = rows->rows.front();
  // Only the admin account's own session is an admin session, not one of its users'.
  Session s{dbText(row[0]), dbText(row[1]),
            dbText(row[2]), dbInt(row[3]),
            dbInt(row[4]),  dbText(row[5]) == kTypeSystemAdmin && dbText(row[1]) == dbText(row[2])};
  if (s.expiredDate <= now) {
    forget(*key);
    // Lazy cleanup; a failure only leaves the row for the next purge.
    (void)db_.execute("DELETE FROM session WHERE uuid = ? AND expiredDate <= ?", {*key, now});
    return std::optional<Session>();
  }
  cache(s, now);
  return std::optional<Session>(std::move(s));
}

Result<Session> SessionStore::create(const Account& account, const std::string& userUuid) {
  std::lock_guard lock(createMutex_);
  std::int64_t now = nowMillis();
  std::int64_t maxSessions =
      configs_.getInt(kConfigCategory, kSessionMaxConcurrent, kDefaultMaxConcurrentSessions);
  auto rows = db_.query("SELECT COUNT(*) FROM session WHERE accountUuid = ? AND expiredDate > ?",
                        {account.uuid, now});
  if (!rows) return rows.error();
  std::int64_t live = rows->rows.empty() ? 0 : dbInt(rows->rows[0][0]);
  // Refused rather than evicting the oldest, as ZStack does: a flood of logins must not log
  // out the sessions people are working with.
  if (live >= maxSessions) {
    return makeError(ErrorCode::kConflict,
                     "account " + account.name + " already has " + std::to_string(live) +
                         " live sessions, the limit of identity.session.maxConcurrent; log out "
                         "unused sessions or raise the limit",
                     "limit " + std::to_string(maxSessions));
  }
  std::string user = userUuid.empty() ? account.uuid : userUuid;
  Session s{newUuid(),
            account.uuid,
            user,
            now,
            now + timeoutSeconds() * 1000,
            account.admin() && user == account.uuid};
  auto inserted = db_.execute(
      "INSERT INTO session (uuid, accountUuid, userUuid, createDate, expiredDate) "
      "VALUES (?, ?, ?, ?, ?)",
      {s.uuid, s.accountUuid, s.userUuid, s.createDate, s.expiredDate});
  if (!inserted) return inserted.error();
  cache(s, now);
  return s;
}

Status SessionStore::remove(std::string_view sessionUuid) {
  auto key = normalizedUuid(sessionUuid);
  if (!key) return {};
  forget(*key);
  auto deleted = db_.execute("DELETE FROM session WHERE uuid = ?", {*key});
  if (!deleted) return deleted.error();
  return {};
}

Status SessionStore::removeForAccount(const std::string& accountUuid) {
  return removeWhere("accountUuid", accountUuid);
}

Status SessionStore::removeForUser(const std::string& userUuid) {
  return removeWhere("userUuid", userUuid);
}

Status SessionStore::removeWhere(const char* column, const std::string& value) {
  auto matches = [&](const auto& entry) {
    const Session& s = entry.second.session;
    return (std::string_view(column) == "accountUuid" ? s.accountUuid : s.userUuid) == value;
  };
  // Forgotten before and after the delete, so a lookup that read the row just before it cannot
  // leave a stale entry behind for long.
  {
    std::lock_guard lock(cacheMutex_);
    std::erase_if(cache_, matches);
  }
  auto deleted = db_.execute(std::string("DELETE FROM session WHERE ") + column + " = ?", {value});
  {
    std::lock_guard lock(cacheMutex_);
    std::erase_if(cache_, matches);
  }
  if (!deleted) return deleted.error();
  return {};
}

Result<Session> SessionStore::renew(const Session& session, std::int64_t durationSeconds) {
  std::int64_t now = nowMillis();
  Session renewed = session;
  renewed.expiredDate = now + durationSeconds * 1000;
  auto changed = db_.execute("UPDATE session SET expiredDate = ? WHERE uuid = ?",
                             {renewed.expiredDate, renewed.uuid});
  if (!changed) return changed.error();
  if (*changed == 0) {
    forget(renewed.uuid);
    return makeError(ErrorCode::kNotFound, kGone, renewed.uuid);
  }
  cache(renewed, now);
  return renewed;
}

Status SessionStore::purgeExpired() {
  std::int64_t now = nowMillis();
  lastPurge_.store(now);
  auto deleted = db_.execute("DELETE FROM session WHERE expiredDate <= ?", {now});
  {
    std::lock_guard lock(cacheMutex_);
    std::erase_if(cache_,
                  [now](const auto& entry) { return entry.second.session.expiredDate <= now; });
  }
  if (!deleted) return deleted.error();
  return {};
}

void SessionStore::maybePurgeExpired() {
  std::int64_t now = nowMillis();
  std::int64_t last = lastPurge_.load();
  // Only the thread that wins the exchange purges; the others carry on with their login.
  if (now - last < kPurgeIntervalMs || !lastPurge_.compare_exchange_strong(last, now)) return;
  (void)purgeExpired();
}

std::int64_t SessionStore::timeoutSeconds() const {
  std::int64_t seconds =
      configs_.getInt(kConfigCategory, kSessionTimeout, kDefaultSessionTimeoutSeconds);
  return std::clamp<std::int64_t>(seconds, 60, kMaxSessionSeconds);
}

void SessionStore::cache(const Session& session, std::int64_t now) {
  std::lock_guard lock(cacheMutex_);
  cache_[session.uuid] = Cached{session, now};
}

void SessionStore::forget(const std::string& sessionUuid) {
  std::lock_guard lock(cacheMutex_);
  cache_.erase(sessionUuid);
}

}  // namespace strato::identity
