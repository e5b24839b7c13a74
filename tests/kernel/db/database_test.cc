#include <gtest/gtest.h>

#include <thread>

#include "db_backends.h"

namespace strato::kernel::test_db {
namespace {

class Queries : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    ASSERT_NE(db_, nullptr);
    ASSERT_TRUE(db_->execute("CREATE TABLE items (id INTEGER PRIMARY KEY, name VARCHAR(200),"
                             " size BIGINT, ratio DOUBLE PRECISION)",
                             {})
                    .ok());
  }
  std::int64_t count() {
    auto rows = db_->query("SELECT COUNT(*) FROM items", {});
    EXPECT_TRUE(rows.ok());
    return std::get<std::int64_t>(rows->rows.at(0).at(0));
  }
};

TEST_P(Queries, EveryValueTypeRoundTrips) {
  ASSERT_TRUE(db_->execute("INSERT INTO items VALUES (?, ?, ?, ?)",
                           {std::int64_t{1}, std::string("zone-1"), std::int64_t{1} << 40, 0.25})
                  .ok());
  ASSERT_TRUE(db_->execute("INSERT INTO items VALUES (?, ?, ?, ?)",
                           {std::int64_t{2}, std::monostate{}, std::monostate{}, std::monostate{}})
                  .ok());
  auto rows = db_->query("SELECT id, name, size, ratio FROM items ORDER BY id", {});
  ASSERT_TRUE(rows.ok()) << rows.error().describe();
  EXPECT_EQ(rows->columns, (std::vector<std::string>{"id", "name", "size", "ratio"}));
  ASSERT_EQ(rows->rows.size(), 2u);
  EXPECT_EQ(std::get<std::int64_t>(rows->rows[0][0]), 1);
  EXPECT_EQ(std::get<std::string>(rows->rows[0][1]), "zone-1");
  EXPECT_EQ(std::get<std::int64_t>(rows->rows[0][2]), std::int64_t{1} << 40);
  EXPECT_DOUBLE_EQ(std::get<double>(rows->rows[0][3]), 0.25);
  for (int c = 1; c < 4; ++c) EXPECT_TRUE(std::holds_alternative<std::monostate>(rows->rows[1][c]));
}

TEST_P(Queries, ValuesAreBoundNeverSpliced) {
  const std::string hostile = "x'); DROP TABLE items; -- \"\\";
  ASSERT_TRUE(db_->execute("INSERT INTO items (id, name) VALUES (?, ?)", {std::int64_t{1}, hostile}).ok());
  auto rows = db_->query("SELECT name FROM items WHERE name = ?", {hostile});
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->rows.size(), 1u);
  EXPECT_EQ(std::get<std::string>(rows->rows[0][0]), hostile);
  EXPECT_EQ(count(), 1);
}

TEST_P(Queries, ExecuteReportsChangedRows) {
  for (std::int64_t i = 1; i <= 3; ++i) {
    ASSERT_TRUE(db_->execute("INSERT INTO items (id, size) VALUES (?, ?)", {i, i * 10}).ok());
  }
  auto changed = db_->execute("UPDATE items SET name = ? WHERE size >= ?", {std::string("big"), std::int64_t{20}});
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(changed.value(), 2u);
}

TEST_P(Queries, BadSqlIsAnErrorNotACrash) {
  auto r = db_->query("SELEKT nonsense FROM nowhere", {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_FALSE(r.error().details.empty());
  auto missing = db_->execute("INSERT INTO no_such_table VALUES (1)", {});
  EXPECT_FALSE(missing.ok());
  // The pool is still healthy afterwards.
  EXPECT_EQ(count(), 0);
}

TEST_P(Queries, TransactionCommitsOnSuccess) {
  Status s = db_->transaction([](Database& tx) -> Status {
    for (std::int64_t i = 1; i <= 3; ++i) {
      if (auto r = tx.execute("INSERT INTO items (id) VALUES (?)", {i}); !r) return r.error();
    }
    return {};
  });
  ASSERT_TRUE(s.ok()) << s.error().describe();
  EXPECT_EQ(count(), 3);
}

TEST_P(Queries, TransactionRollsBackOnError) {
  Status s = db_->transaction([](Database& tx) -> Status {
    if (auto r = tx.execute("INSERT INTO items (id) VALUES (1)", {}); !r) return r.error();
    return makeError(ErrorCode::kConflict, "changed my mind");
  });
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "changed my mind");
  EXPECT_EQ(count(), 0);
}

TEST_P(Queries, TransactionRollsBackWhenAStatementFails) {
  ASSERT_TRUE(db_->execute("INSERT INTO items (id) VALUES (1)", {}).ok());
  Status s = db_->transaction([](Database& tx) -> Status {
    if (auto r = tx.execute("INSERT INTO items (id) VALUES (2)", {}); !r) return r.error();
    if (auto r = tx.execute("INSERT INTO items (id) VALUES (1)", {}); !r) return r.error();  // dup
    return {};
  });
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(count(), 1);
}

TEST_P(Queries, TransactionRollsBackOnException) {
  Status s = db_->transaction([](Database& tx) -> Status {
    (void)tx.execute("INSERT INTO items (id) VALUES (1)", {});
    throw std::runtime_error("bug in caller");
  });
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().details.find("bug in caller"), std::string::npos);
  EXPECT_EQ(count(), 0);
}

TEST_P(Queries, NestedTransactionJoinsTheOuterOne) {
  Status s = db_->transaction([](Database& tx) -> Status {
    if (auto r = tx.execute("INSERT INTO items (id) VALUES (1)", {}); !r) return r.error();
    Status inner = tx.transaction([](Database& inner) -> Status {
      if (auto r = inner.execute("INSERT INTO items (id) VALUES (2)", {}); !r) return r.error();
      return {};
    });
    if (!inner) return inner;
    return makeError(ErrorCode::kConflict, "outer fails after inner succeeded");
  });
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(count(), 0);
}

TEST_P(Queries, ConcurrentTransactionsAllLand) {
  constexpr int kThreads = 8, kEach = 25;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        std::int64_t id = t * 1000 + i;
        Status s = db_->transaction([&](Database& tx) -> Status {
          if (auto r = tx.execute("INSERT INTO items (id, size) VALUES (?, ?)", {id, id}); !r) {
            return r.error();
          }
          return {};
        });
        if (!s) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(count(), kThreads * kEach);
}

STRATO_INSTANTIATE_DB_TESTS(Queries);

}  // namespace
}  // namespace strato::kernel::test_db
