// Sessions: the `session` table plus an in-memory cache, and the SessionResolver the REST front
// end asks for every authenticated request.
//
// The database is the truth, shared by every management node; the cache only saves a query per
// request. A cached entry is trusted for kRecheckMs, then re-read, so a logout or renewal on
// another node shows here within that time. A miss (a session another node created) falls back
// to the database. Expired rows are deleted lazily: when a lookup meets one, at start, and at
// most once a minute on login.
//
// Every method may block on the database: call from the blocking pool (or, for resolve(), the
// HTTP threads, which the SDK allows to block briefly).
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "account_store.h"
#include "strato/database.h"
#include "strato/global_config.h"
#include "strato/json.h"
#include "strato/session.h"

namespace strato::identity {

struct Session {
  std::string uuid;
  std::string accountUuid;
  std::string userUuid;
  std::int64_t createDate = 0;
  std::int64_t expiredDate = 0;
  bool admin = false;

  // ZStack's SessionInventory, dates in Gson form.
  Json inventory() const;
  SessionInfo info() const;
};

class SessionStore final : public SessionResolver {
 public:
  static constexpr std::int64_t kRecheckMs = 5'000;
  static constexpr std::int64_t kPurgeIntervalMs = 60'000;

  SessionStore(Database& db, const GlobalConfigView& configs);

  // kUnauthenticated "session expired or does not exist" unless the session is live.
  Result<SessionInfo> resolve(std::string_view sessionUuid) override;

  // The live session, or nullopt when it is unknown or expired.
  Result<std::optional<Session>> findLive(std::string_view sessionUuid);

  // A new session for a login, valid for identity.session.timeout; kConflict when the account
  // already holds identity.session.maxConcurrent live sessions. `userUuid` names the user of a
  // LogInByUser session; empty = the account's own session (userUuid = accountUuid, as ZStack).
  Result<Session> create(const Account& account, const std::string& userUuid = {});

  // Deletes the session; unknown is fine (logout is idempotent).
  Status remove(std::string_view sessionUuid);
  // Ends every session of an account (deleted, disabled) or of one user, here at once: the
  // cache forgets them too. Other nodes notice within kRecheckMs.
  Status removeForAccount(const std::string& accountUuid);
  Status removeForUser(const std::string& userUuid);

  // Sets the expiry to now + durationSeconds; kNotFound when the session is gone meanwhile.
  Result<Session> renew(const Session& session, std::int64_t durationSeconds);

  Status purgeExpired();
  // purgeExpired() when the last purge is older than kPurgeIntervalMs.
  void maybePurgeExpired();

  std::int64_t timeoutSeconds() const;

 private:
  struct Cached {
    Session session;
    std::int64_t checkedAt = 0;
  };
  void cache(const Session& session, std::int64_t now);
  void forget(const std::string& sessionUuid);
  Status removeWhere(const char* column, const std::string& value);

  Database& db_;
  const GlobalConfigView& configs_;
  std::mutex cacheMutex_;
  std::unordered_map<std::string, Cached> cache_;
  // Serialises count-then-insert so concurrent logins on this node cannot overshoot
  // maxConcurrent; nodes can still race each other by a session or two.
  std::mutex createMutex_;
  std::atomic<std::int64_t> lastPurge_{0};
};

}  // namespace strato::identity
