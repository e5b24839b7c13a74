// Bus requests one after another without a thread waiting in between: a list sent in turn, or a
// job offered to candidates (hosts, storages) until one takes it. Header-only.
#pragma once

#include <algorithm>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "strato/bus.h"
#include "strato/flow.h"

namespace strato {

// Sends `requests` one after another, then calls `done` with success. A failed request is handed
// to `goOn`: true carries on with the next, false stops and gives `done` that error.
inline void requestInTurn(MessageBus& bus, std::vector<Message> requests,
                          std::function<bool(const Error&)> goOn, FlowDone done) {
  struct Turn {
    std::vector<Message> requests;
    std::size_t next = 0;
  };
  auto turn = std::make_shared<Turn>(Turn{std::move(requests)});
  auto step = std::make_shared<std::function<void()>>();
  *step = [&bus, turn, goOn, done, weak = std::weak_ptr(step)] {
    if (turn->next == turn->requests.size()) return done(okStatus());
    bus.request(turn->requests[turn->next++], [goOn, done, again = weak.lock()](Reply answered) {
      if (!answered && !goOn(answered.error())) return done(answered.error());
      (*again)();
    });
  };
  auto keep = step;  // the pending request's callback holds it from here on
  (*keep)();
}

// Offers a job to the candidates in turn until one takes it: `attempt(candidate, answer)` answers
// once. An error whose code is in `moveOn` is a refusal and the next candidate is asked; any
// other error stops. `done` gets the candidate that took it and its answer, or, when every
// candidate refused, `refused(the refusals)`.
template <class Candidate>
void firstTaker(std::vector<Candidate> candidates,
                std::function<void(const Candidate&, ReplyCallback)> attempt,
                std::vector<ErrorCode> moveOn,
                std::function<Error(const std::vector<Error>&)> refused,
                std::function<void(Result<std::pair<Candidate, Json>>)> done) {
  struct Turn {
    std::vector<Candidate> candidates;
    std::size_t next = 0;
    std::vector<Error> refusals;
  };
  auto turn = std::make_shared<Turn>(Turn{std::move(candidates)});
  auto step = std::make_shared<std::function<void()>>();
  *step = [turn, attempt, moveOn, refused, done, weak = std::weak_ptr(step)] {
    if (turn->next == turn->candidates.size()) return done(refused(turn->refusals));
    const Candidate& candidate = turn->candidates[turn->next++];
    attempt(candidate, [turn, candidate, moveOn, done, again = weak.lock()](Reply answer) {
      if (answer) return done(std::make_pair(candidate, std::move(*answer)));
      if (std::find(moveOn.begin(), moveOn.end(), answer.error().code) == moveOn.end())
        return done(answer.error());
      turn->refusals.push_back(answer.error());
      (*again)();
    });
  };
  auto keep = step;  // the pending attempt's callback holds it from here on
  (*keep)();
}

}  // namespace strato
