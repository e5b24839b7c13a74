// Quotas: the limits in table `quota` and the QuotaGuard resource plugins ask before they create
// something.
//
// Every Normal account has one row per quota that any QuotaReporter defines, at the reporter's
// default until UpdateQuota changes it. Reporters are looked up at use time (not at init), so
// a reporter's quotas appear for every account at the next start, CreateAccount, UpdateQuota,
// GetAccountQuotaUsage or check. Admin accounts (SystemAdmin) have no quotas and are never
// refused.
//
// check() compares current usage (from the reporters) plus the addition with the limit. It does
// not reserve anything: two creations racing for the last unit may both pass. Blocking pool only.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strato/database.h"
#include "strato/extension.h"
#include "strato/json.h"
#include "strato/ownership.h"

namespace strato::identity {

inline constexpr std::string_view kIdentityTypeAccount = "AccountVO";

class QuotaService final : public QuotaGuard {
 public:
  QuotaService(Database& db, const ExtensionLookup& extensions)
      : db_(db), extensions_(extensions) {}

  // Every reporter's definitions (a name defined twice keeps the first reporter's default).
  std::vector<QuotaDefinition> definitions() const;

  // Adds the missing quota rows of a Normal account (no-op for admins and unknown accounts).
  Status ensureQuotas(Database& db, const std::string& accountUuid);
  Status ensureAllAccounts();

  // Limit by quota name.
  Result<std::map<std::string, std::int64_t>> limits(const std::string& accountUuid);
  // Current usage by quota name, summed over the reporters.
  Result<std::map<std::string, std::int64_t>> usage(const std::string& accountUuid);

  // The quota row as ZStack's QuotaInventory; kNotFound when there is none.
  Result<Json> inventory(const std::string& accountUuid, const std::string& name);
  // Sets a limit; kInvalidArgument for a quota no reporter defines.
  Result<Json> update(const std::string& accountUuid, const std::string& name, std::int64_t value);

  Status check(std::string_view accountUuid,
               const std::map<std::string, std::int64_t>& additions) override;

 private:
  Database& db_;
  const ExtensionLookup& extensions_;
};

}  // namespace strato::identity
