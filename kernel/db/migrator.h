// Versioned schema migrations, per component (the kernel and each plugin). The applied version
// of every component lives in `strato_schema_version`. Each migration runs in its own
// transaction together with its version bump, so a failed one leaves the previous version intact
// (on MySQL, DDL commits implicitly: there a failed DDL migration may be half applied, and the
// error says so). A database newer than the code is refused: no silent downgrade.
#pragma once

#include <string>
#include <vector>

#include "strato/database.h"
#include "strato/result.h"

namespace strato::kernel {

struct MigrationReport {
  int from = 0;
  int to = 0;
};

// Checks that versions run 1, 2, 3, ... without gaps or repeats.
Status validateMigrations(const std::string& component, const std::vector<Migration>& migrations);

Result<MigrationReport> applyMigrations(Database& db, const std::string& component,
                                        const std::vector<Migration>& migrations);

// 0 when the component has no schema yet.
Result<int> schemaVersion(Database& db, const std::string& component);

}  // namespace strato::kernel
