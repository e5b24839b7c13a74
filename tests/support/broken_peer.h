// A stand-in for a host agent gone wrong, listening where the agent would: it answers every
// connection with HTTP 200 and a body that is not a bus reply (kGarbage), or accepts and never
// answers (kSilent). Stopped with the object.
#pragma once

#include <atomic>
#include <string>
#include <thread>

namespace strato::test {

class BrokenPeer {
 public:
  enum class Mode { kGarbage, kSilent };
  // Throws when the address cannot be bound.
  BrokenPeer(const std::string& host, int port, Mode mode);
  ~BrokenPeer();

 private:
  void serve();

  Mode mode_;
  int listener_ = -1;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace strato::test
