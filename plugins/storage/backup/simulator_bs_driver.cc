#include "simulator_bs_driver.h"

#include <thread>

namespace strato::backup {
namespace {

std::int64_t bytes(const Json& extra, const char* key, std::int64_t fallback) {
  if (!extra.contains(key) || !extra[key].is_number_integer()) return fallback;
  return extra[key].get<std::int64_t>();
}

}  // namespace

Status SimulatorBackupStorageDriver::validate(const BackupStorageSpec& spec) const {
  std::int64_t total = bytes(spec.extra, "totalCapacity", 0);
  std::int64_t available = bytes(spec.extra, "availableCapacity", total);
  if (total < 0 || available < 0 || available > total) {
    return makeError(ErrorCode::kInvalidArgument,
                     "simulator capacities need 0 <= availableCapacity <= totalCapacity",
                     std::to_string(available) + " of " + std::to_string(total));
  }
  if (spec.url.empty()) return makeError(ErrorCode::kInvalidArgument, "url may not be empty");
  return {};
}

Result<Connected> SimulatorBackupStorageDriver::connect(const BackupStorageSpec& spec) {
  if (latency_.count() > 0) std::this_thread::sleep_for(latency_);
  auto failing = carriesSystemTag(db_, spec.uuid, kFailConnectTag, spec.extra);
  if (!failing) return failing.error();
  if (*failing) {
    return makeError(
        ErrorCode::kUnavailable, "simulated connection failure",
        "backup storage " + spec.name + " carries the system tag " + std::string(kFailConnectTag));
  }
  std::int64_t total = bytes(spec.extra, "totalCapacity", 0);
  return Connected{{total, bytes(spec.extra, "availableCapacity", total)}};
}

}  // namespace strato::backup
