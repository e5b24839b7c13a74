#include "simulator_storage_driver.h"

#include <thread>

namespace strato::primary {
namespace {

std::int64_t bytes(const Json& extra, const char* key, std::int64_t fallback) {
  if (!extra.contains(key) || !extra[key].is_number_integer()) return fallback;
  return extra[key].get<std::int64_t>();
}

}  // namespace

void SimulatorStorageDriver::pause() const {
  if (latency_.count() > 0) std::this_thread::sleep_for(latency_);
}

Status SimulatorStorageDriver::validate(const PrimaryStorageSpec& spec) const {
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

Status SimulatorStorageDriver::failure(const PrimaryStorageSpec& spec, std::string_view tag,
                                       const char* what) {
  // On the add the API's tags are not stored yet: the base hands them over in extra.
  auto tagged = carriesSystemTag(db_, spec.uuid, tag, spec.extra);
  if (!tagged) return tagged.error();
  if (!*tagged) return {};
  return makeError(ErrorCode::kUnavailable, std::string("simulated ") + what + " failure",
                   "primary storage " + spec.name + " carries the system tag " + std::string(tag));
}

Result<StorageCapacity> SimulatorStorageDriver::connect(const PrimaryStorageSpec& spec,
                                                        const std::vector<StorageHost>&) {
  pause();
  if (auto failed = failure(spec, kFailConnectTag, "connection"); !failed) return failed.error();
  std::int64_t total = bytes(spec.extra, "totalCapacity", 0);
  return StorageCapacity{total, bytes(spec.extra, "availableCapacity", total), true};
}

Result<StorageCapacity> SimulatorStorageDriver::attach(const PrimaryStorageSpec& spec,
                                                       const std::string&,
                                                       const std::vector<StorageHost>&) {
  pause();
  if (auto failed = failure(spec, kFailAttachTag, "attach"); !failed) return failed.error();
  return StorageCapacity{0, 0, false};
}

Result<StorageCapacity> SimulatorStorageDriver::detach(const PrimaryStorageSpec&,
                                                       const std::string&,
                                                       const std::vector<StorageHost>&) {
  pause();
  return StorageCapacity{0, 0, false};
}

Result<StorageCapacity> SimulatorStorageDriver::syncCapacity(
    const PrimaryStorageSpec& spec, const std::vector<StorageHost>& hosts) {
  return connect(spec, hosts);
}

Result<std::int64_t> SimulatorStorageDriver::cleanUpImageCache(const PrimaryStorageSpec&,
                                                               const std::vector<StorageHost>&) {
  pause();
  return std::int64_t{0};
}

}  // namespace strato::primary
