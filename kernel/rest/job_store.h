// Async API jobs (section 2.5 of the ZStack manual). A job is recorded in the rest_job table
// before the client gets its 202, so a duplicate X-Job-UUID is refused and a restarted server
// still answers for finished jobs. Running jobs are also kept in memory so that polling them
// costs no query.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_set>

#include "strato/database.h"
#include "strato/json.h"

namespace strato::kernel {

class JobStore {
 public:
  explicit JobStore(Database& db) : db_(db) {}

  // kAlreadyExists when a job with that uuid exists (running or finished).
  Status create(const std::string& uuid, const std::string& api, const std::string& webHook);
  // Stores the result; `body` is what polling returns (reply or error body).
  Status finish(const std::string& uuid, bool success, const Json& body);

  struct Poll {
    enum class State { kRunning, kDone, kUnknown } state = State::kUnknown;
    bool success = false;
    std::string body;
  };
  Poll poll(const std::string& uuid);

  // A job that was running when the previous process stopped will never finish: fail it.
  Status failInterrupted();
  // Forgets finished jobs older than the cutoff (polling them then answers 404).
  Result<std::uint64_t> expireFinishedBefore(std::int64_t epochMillis);

 private:
  Database& db_;
  std::mutex mutex_;
  std::unordered_set<std::string> running_;
};

}  // namespace strato::kernel
