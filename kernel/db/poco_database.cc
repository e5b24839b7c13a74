#include "db/poco_database.h"

#include <Poco/Data/MySQL/Connector.h>
#include <Poco/Data/RecordSet.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/SQLite/Utility.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <vector>

#include "db/sqlite_statement.h"

namespace strato::kernel {
namespace {

using Poco::Data::Session;
using Poco::Data::Statement;

void registerConnectors() {
  static std::once_flag once;
  std::call_once(once, [] {
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::MySQL::Connector::registerConnector();
  });
}

Error dbError(const std::string& what, const Poco::Exception& e) {
  return makeError(ErrorCode::kUnavailable, what, e.displayText());
}

Statement prepare(Session& session, std::string_view sql, const std::vector<DbValue>& params) {
  Statement stmt(session);
  stmt << std::string(sql);
  for (const auto& param : params) {
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::monostate>) {
            stmt.addBind(Poco::Data::Keywords::use(Poco::Data::Keywords::null));
          } else if constexpr (std::is_same_v<T, std::int64_t>) {
            stmt.addBind(Poco::Data::Keywords::bind(static_cast<Poco::Int64>(v)));
          } else {
            stmt.addBind(Poco::Data::Keywords::bind(v));
          }
        },
        param);
  }
  return stmt;
}

DbValue toValue(const Poco::Data::RecordSet& rs, std::size_t col, std::size_t row) {
  if (rs.isNull(col, row)) return std::monostate{};
  const Poco::Dynamic::Var& v = rs.value(col, row);
  using MC = Poco::Data::MetaColumn;
  switch (rs.columnType(col)) {
    case MC::FDT_BOOL:
    case MC::FDT_INT8:
    case MC::FDT_UINT8:
    case MC::FDT_INT16:
    case MC::FDT_UINT16:
    case MC::FDT_INT32:
    case MC::FDT_UINT32:
    case MC::FDT_INT64:
    case MC::FDT_UINT64:
      return static_cast<std::int64_t>(v.convert<Poco::Int64>());
    case MC::FDT_FLOAT:
    case MC::FDT_DOUBLE:
      return v.convert<double>();
    case MC::FDT_BLOB:
    case MC::FDT_CLOB: {
      auto blob = v.extract<Poco::Data::BLOB>();
      return std::string(reinterpret_cast<const char*>(blob.rawContent()), blob.size());
    }
    default:
      return v.convert<std::string>();
  }
}

Result<DbRows> pocoQuery(Session& session, std::string_view sql, const std::vector<DbValue>& params) {
  try {
    Statement stmt = prepare(session, sql, params);
    stmt.execute();
    Poco::Data::RecordSet rs(stmt);
    DbRows out;
    const std::size_t cols = rs.columnCount();
    for (std::size_t c = 0; c < cols; ++c) out.columns.push_back(rs.columnName(c));
    const std::size_t rows = rs.rowCount();
    out.rows.reserve(rows);
    for (std::size_t r = 0; r < rows; ++r) {
      std::vector<DbValue> row;
      row.reserve(cols);
      for (std::size_t c = 0; c < cols; ++c) row.push_back(toValue(rs, c, r));
      out.rows.push_back(std::move(row));
    }
    return out;
  } catch (const Poco::Exception& e) {
    return dbError("query failed: " + std::string(sql.substr(0, 200)), e);
  }
}

Result<std::uint64_t> pocoExecute(Session& session, std::string_view sql,
                                  const std::vector<DbValue>& params) {
  try {
    Statement stmt = prepare(session, sql, params);
    return static_cast<std::uint64_t>(stmt.execute());
  } catch (const Poco::Exception& e) {
    return dbError("statement failed: " + std::string(sql.substr(0, 200)), e);
  }
}

Result<DbRows> runQuery(Session& session, DbDialect dialect, std::string_view sql,
                        const std::vector<DbValue>& params) {
  if (dialect == DbDialect::kSqlite) {
    return sqliteQuery(Poco::Data::SQLite::Utility::dbHandle(session), sql, params);
  }
  return pocoQuery(session, sql, params);
}

Result<std::uint64_t> runExecute(Session& session, DbDialect dialect, std::string_view sql,
                                 const std::vector<DbValue>& params) {
  if (dialect == DbDialect::kSqlite) {
    return sqliteExecute(Poco::Data::SQLite::Utility::dbHandle(session), sql, params);
  }
  return pocoExecute(session, sql, params);
}

// Runs `work` between BEGIN and COMMIT on `session`, rolling back on error or exception.
Status runTransaction(Session& session, DbDialect dialect, Database& tx,
                      const std::function<Status(Database&)>& work) {
  // IMMEDIATE takes SQLite's write lock up front: a deferred transaction that later writes can
  // fail with SQLITE_BUSY without waiting, where IMMEDIATE waits for the busy timeout.
  const char* begin = dialect == DbDialect::kSqlite ? "BEGIN IMMEDIATE" : "START TRANSACTION";
  if (auto s = runExecute(session, dialect, begin, {}); !s) return s.error();
  Status result;
  try {
    result = work(tx);
  } catch (const std::exception& e) {
    result = makeError(ErrorCode::kInternal, "transaction work threw", e.what());
  }
  if (result.ok()) {
    if (auto s = runExecute(session, dialect, "COMMIT", {}); !s) {
      (void)runExecute(session, dialect, "ROLLBACK", {});
      return s.error();
    }
    return result;
  }
  (void)runExecute(session, dialect, "ROLLBACK", {});
  return result;
}

// A Database bound to one session inside a transaction; nested transactions join the outer one.
class TransactionDatabase final : public Database {
 public:
  TransactionDatabase(Session& session, DbDialect dialect) : session_(session), dialect_(dialect) {}
  DbDialect dialect() const override { return dialect_; }
  Result<DbRows> query(std::string_view sql, const std::vector<DbValue>& params) override {
    return runQuery(session_, dialect_, sql, params);
  }
  Result<std::uint64_t> execute(std::string_view sql, const std::vector<DbValue>& params) override {
    return runExecute(session_, dialect_, sql, params);
  }
  Status transaction(const std::function<Status(Database&)>& work) override { return work(*this); }

 private:
  Session& session_;
  DbDialect dialect_;
};

class PocoDatabase final : public Database {
 public:
  explicit PocoDatabase(DatabaseOptions options) : options_(std::move(options)) {}

  DbDialect dialect() const override { return options_.url.dialect; }

  Result<DbRows> query(std::string_view sql, const std::vector<DbValue>& params) override {
    auto lease = borrow();
    if (!lease) return lease.error();
    return runQuery(lease->session(), dialect(), sql, params);
  }

  Result<std::uint64_t> execute(std::string_view sql, const std::vector<DbValue>& params) override {
    auto lease = borrow();
    if (!lease) return lease.error();
    return runExecute(lease->session(), dialect(), sql, params);
  }

  Status transaction(const std::function<Status(Database&)>& work) override {
    auto lease = borrow();
    if (!lease) return lease.error();
    TransactionDatabase tx(lease->session(), dialect());
    return runTransaction(lease->session(), dialect(), tx, work);
  }

  // A pooled session, returned to the pool when the lease dies.
  class Lease {
   public:
    Lease(PocoDatabase* owner, std::unique_ptr<Session> session)
        : owner_(owner), session_(std::move(session)) {}
    Lease(Lease&& o) noexcept : owner_(o.owner_), session_(std::move(o.session_)) {}
    ~Lease() {
      if (session_) owner_->giveBack(std::move(session_));
    }
    Session& session() { return *session_; }

   private:
    PocoDatabase* owner_;
    std::unique_ptr<Session> session_;
  };

  Result<Lease> borrow() {
    std::unique_lock lock(mutex_);
    available_.wait(lock, [&] { return !idle_.empty() || open_ < options_.poolSize; });
    if (!idle_.empty()) {
      auto session = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(session));
    }
    ++open_;
    lock.unlock();
    auto session = connect();
    if (!session) {
      std::lock_guard relock(mutex_);
      --open_;
      available_.notify_one();
      return session.error();
    }
    return Lease(this, std::move(session.value()));
  }

 private:
  Result<std::unique_ptr<Session>> connect() {
    const auto& url = options_.url;
    try {
      if (url.dialect == DbDialect::kSqlite) {
        auto session = std::make_unique<Session>("SQLite", url.sqlitePath);
        for (const std::string& pragma : std::vector<std::string>{
                 "PRAGMA journal_mode=WAL", "PRAGMA foreign_keys=ON", "PRAGMA synchronous=NORMAL",
              "PRAGMA busy_timeout=" + std::to_string(options_.busyTimeoutMs)}) {
          *session << pragma, Poco::Data::Keywords::now;
        }
        return session;
      }
      std::string conn = "host=" + url.host + ";port=" + std::to_string(url.port) +
                         ";user=" + url.user + ";password=" + url.password + ";db=" +
                         url.database + ";auto-reconnect=true;character-set=utf8mb4";
      return std::make_unique<Session>("MySQL", conn);
    } catch (const Poco::Exception& e) {
      return dbError("cannot connect to database " + url.redacted(), e);
    }
  }

  void giveBack(std::unique_ptr<Session> session) {
    std::lock_guard lock(mutex_);
    if (session->isConnected()) {
      idle_.push_back(std::move(session));
    } else {
      --open_;  // broken: let the next borrower open a fresh one
    }
    available_.notify_one();
  }

  DatabaseOptions options_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Session>> idle_;
  int open_ = 0;
};

}  // namespace

Result<std::shared_ptr<Database>> openDatabase(const DatabaseOptions& options) {
  registerConnectors();
  if (options.url.dialect == DbDialect::kSqlite) {
    std::error_code ec;
    auto parent = std::filesystem::path(options.url.sqlitePath).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    if (ec) {
      return makeError(ErrorCode::kUnavailable,
                       "cannot create directory for SQLite file " + options.url.sqlitePath,
                       ec.message());
    }
  }
  auto db = std::make_shared<PocoDatabase>(options);
  if (auto probe = db->query("SELECT 1", {}); !probe) return probe.error();
  return std::shared_ptr<Database>(std::move(db));
}

}  // namespace strato::kernel
