// Runs a program on the host (qemu-img, df) without a shell: arguments are passed as they are, so
// a path can never become a command. Blocking; a program that outlives `timeout` is killed.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <strato/result.h>

namespace strato::kvm {

struct CommandOutput {
  std::string out;
  std::string err;
};

// Exit status 0 -> its output; otherwise kInternal carrying the command and its stderr
// (kTimeout when it was killed for taking too long, kUnavailable when it cannot be started).
Result<CommandOutput> runCommand(const std::vector<std::string>& argv,
                                 std::chrono::milliseconds timeout);

}  // namespace strato::kvm
