// Benchmark-only plugin: 100,000 VM-like rows, one NIC each, spread over 1,000 L3 networks, so
// that a two-level cross-inventory query (VM -> nics -> l3) runs over realistic table sizes
// before the real VM and network plugins exist. Seeded once at start; never installed.
#include <strato/sdk.h>

namespace {

constexpr int kVms = 100000;
constexpr int kL3Networks = 1000;

std::string uuidOf(char kind, int i) {
  char out[33];
  std::snprintf(out, sizeof out, "%c%031d", kind, i);
  return out;
}

strato::Status seed(strato::Database& db) {
  auto rows = db.query("SELECT COUNT(*) FROM bench_vm");
  if (!rows) return rows.error();
  if (std::get<std::int64_t>(rows->rows[0][0]) == kVms) return {};
  return db.transaction([](strato::Database& tx) -> strato::Status {
    auto now = strato::nowMillis();
    for (int i = 0; i < kL3Networks; ++i) {
      auto r = tx.execute("INSERT INTO bench_l3 (uuid, name) VALUES (?, ?)",
                          {uuidOf('a', i), "l3-" + std::to_string(i)});
      if (!r) return r.error();
    }
    for (int i = 0; i < kVms; ++i) {
      auto vm = tx.execute(
          "INSERT INTO bench_vm (uuid, name, state, createDate) VALUES (?, ?, 'Running', ?)",
          {uuidOf('b', i), "vm-" + std::to_string(i), now + i});
      if (!vm) return vm.error();
      auto nic = tx.execute("INSERT INTO bench_nic (uuid, vmUuid, l3Uuid, ip) VALUES (?, ?, ?, ?)",
                            {uuidOf('c', i), uuidOf('b', i), uuidOf('a', i % kL3Networks),
                             "10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250)});
      if (!nic) return nic.error();
    }
    return {};
  });
}

strato::Status init(strato::Registrar& r) {
  r.addMigrations({{1,
                    "bench tables",
                    {"CREATE TABLE bench_vm (uuid VARCHAR(32) PRIMARY KEY, name VARCHAR(255), "
                     "state VARCHAR(32), createDate BIGINT)",
                     "CREATE TABLE bench_nic (uuid VARCHAR(32) PRIMARY KEY, vmUuid VARCHAR(32), "
                     "l3Uuid VARCHAR(32), ip VARCHAR(64))",
                     "CREATE INDEX bench_nic_vm ON bench_nic (vmUuid)",
                     "CREATE INDEX bench_nic_l3 ON bench_nic (l3Uuid)",
                     "CREATE TABLE bench_l3 (uuid VARCHAR(32) PRIMARY KEY, name VARCHAR(255))",
                     "CREATE INDEX bench_l3_name ON bench_l3 (name)"}}});
  using strato::FieldType;
  r.addInventory({"BenchVm",
                  "bench_vm",
                  "",
                  {{"uuid"}, {"name"}, {"state"}, {"createDate", FieldType::kDate}},
                  {{"nics", "BenchNic", "uuid", "vmUuid"}}});
  r.addInventory({"BenchNic",
                  "bench_nic",
                  "",
                  {{"uuid"}, {"vmUuid"}, {"l3Uuid"}, {"ip"}},
                  {{"l3", "BenchL3", "l3Uuid", "uuid"}}});
  r.addInventory({"BenchL3", "bench_l3", "", {{"uuid"}, {"name"}}, {}});
  strato::ApiDeclaration query;
  query.name = "QueryBenchVm";
  query.path = "/zstack/v1/bench/vm-instances";
  query.extraPaths = {"/zstack/v1/bench/vm-instances/{uuid}"};
  query.inventory = "BenchVm";
  r.addApi(query);
  r.onStart([&db = r.database()] { return seed(db); });
  return {};
}

}  // namespace

STRATO_PLUGIN("bench-query-fixture", "0.1.0", init)
