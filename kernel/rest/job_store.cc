#include "rest/job_store.h"

#include "rest/rest_errors.h"
#include "strato/time_format.h"

namespace strato::kernel {

Status JobStore::create(const std::string& uuid, const std::string& api,
                        const std::string& webHook) {
  {
    std::lock_guard lock(mutex_);
    if (!running_.insert(uuid).second) {
      return makeError(ErrorCode::kAlreadyExists, "job " + uuid + " already exists");
    }
  }
  auto inserted = db_.execute(
      "INSERT INTO rest_job (uuid, api, state, webHook, createDate) VALUES (?, ?, 'Running', ?, ?)",
      {uuid, api, webHook, nowMillis()});
  if (inserted) return {};
  std::lock_guard lock(mutex_);
  running_.erase(uuid);
  // The primary key refused it: a finished job of that uuid is on record.
  auto existing = db_.query("SELECT 1 FROM rest_job WHERE uuid = ?", {uuid});
  if (existing && !existing->rows.empty()) {
    return makeError(ErrorCode::kAlreadyExists, "job " + uuid + " already exists");
  }
  return inserted.error();
}

Status JobStore::finish(const std::string& uuid, bool success, const Json& body) {
  auto updated = db_.execute(
      "UPDATE rest_job SET state = 'Done', success = ?, result = ?, finishDate = ? WHERE uuid = ?",
      {std::int64_t{success}, body.dump(), nowMillis(), uuid});
  std::lock_guard lock(mutex_);
  running_.erase(uuid);
  if (!updated) return updated.error();
  return {};
}

JobStore::Poll JobStore::poll(const std::string& uuid) {
  {
    std::lock_guard lock(mutex_);
    if (running_.count(uuid)) return {Poll::State::kRunning, false, {}};
  }
  auto rows = db_.query("SELECT state, success, result FROM rest_job WHERE uuid = ?", {uuid});
  if (!rows) {
    return {Poll::State::kDone, false, errorBody(rows.error()).dump()};
  }
  if (rows->rows.empty()) return {};
  const auto& row = rows->rows.front();
  if (std::get<std::string>(row[0]) != "Done") return {Poll::State::kRunning, false, {}};
  const auto* success = std::get_if<std::int64_t>(&row[1]);
  const auto* result = std::get_if<std::string>(&row[2]);
  return {Poll::State::kDone, success && *success != 0, result ? *result : "{}"};
}

Status JobStore::failInterrupted() {
  Json body = errorBody(
      makeError(ErrorCode::kUnavailable, "the management node stopped while this job ran"));
  auto updated = db_.execute(
      "UPDATE rest_job SET state = 'Done', success = 0, result = ?, finishDate = ? "
      "WHERE state = 'Running'",
      {body.dump(), nowMillis()});
  if (!updated) return updated.error();
  return {};
}

Result<std::uint64_t> JobStore::expireFinishedBefore(std::int64_t epochMillis) {
  return db_.execute("DELETE FROM rest_job WHERE state = 'Done' AND finishDate < ?", {epochMillis});
}

}  // namespace strato::kernel
