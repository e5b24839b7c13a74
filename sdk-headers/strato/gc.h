// Garbage collection: work that must happen eventually but could not happen now (say, deleting
// a volume's file on a host that is down). A plugin registers a GarbageCollector under a runner
// name and submits jobs by sending kSubmitGcJobMessage; QueryGCJob lists them, TriggerGCJob runs
// one, DeleteGCJob drops it.
#pragma once

#include <string_view>

#include "strato/json.h"
#include "strato/result.h"

namespace strato {

// Request body: {"name": "...", "runnerClass": "<collector name>", "context": {...}}.
// Reply: {"uuid": "<gc job uuid>"}.
inline constexpr std::string_view kSubmitGcJobMessage = "kernel.SubmitGcJob";

class GarbageCollector {
 public:
  static constexpr std::string_view kExtensionPoint = "strato.GarbageCollector";
  virtual ~GarbageCollector() = default;
  // Runs on the blocking pool with the job's context. An error leaves the job to be retried.
  virtual Status collect(const Json& context) = 0;
};

}  // namespace strato
