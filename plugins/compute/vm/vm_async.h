// Flow steps for handlers that mix SQL, blocking hypervisor calls and bus requests. No step waits
// on the bus from a blocking thread: hundreds of VM operations run at once on a pool of a few
// threads, and a blocking thread that waited for another blocking handler could starve the pool.
#pragma once

#include <algorithm>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>
#include <utility>

#include <strato/in_turn.h>
#include <strato/rendering.h>
#include <strato/sdk.h>

namespace strato::vm {


// A step whose work blocks (SQL, a VmDriver call): it runs on the blocking pool.
inline FlowAction onBlocking(MessageBus& bus, std::function<Status()> work) {
  return [&bus, work = std::move(work)](FlowDone done) {
    bus.postBlocking([work, done] { done(work()); });
  };
}

// An undo step whose work blocks; it cannot fail the rollback, so errors are the work's to log.
inline FlowAction undoOnBlocking(MessageBus& bus, std::function<void()> work) {
  return [&bus, work = std::move(work)](FlowDone done) {
    bus.postBlocking([work, done] {
      work();
      done(okStatus());
    });
  };
}

// A step that makes several things (NICs, volumes) and fails part way undoes what it made
// itself: FlowChain rolls back only the steps that succeeded.
inline FlowAction undoneOnFailure(FlowAction run, FlowAction undo) {
  return [run = std::move(run), undo = std::move(undo)](FlowDone done) {
    run([undo, done](Status s) {
      if (s) return done(s);
      undo([done, s](Status) { done(s); });
    });
  };
}

// A bus request as a step: `take` reads the reply (on a bus worker: no SQL there).
// Long work (a template, a snapshot) passes a `timeout` longer than the bus's default.
inline FlowAction asking(MessageBus& bus, std::function<Message()> make,
                         std::function<Status(const Json&)> take = {},
                         std::chrono::milliseconds timeout = std::chrono::milliseconds(0)) {
  return [&bus, make = std::move(make), take = std::move(take), timeout](FlowDone done) {
    auto answered = [take, done](Reply reply) {
      if (!reply) return done(reply.error());
      done(take ? take(*reply) : okStatus());
    };
    if (timeout.count() > 0) return (void)bus.request(make(), answered, timeout);
    bus.request(make(), answered);
  };
}

}  // namespace strato::vm
