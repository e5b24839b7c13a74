// A child process started by a test. It runs in its own process group (so a ^C at the terminal
// reaches the test, not it), its output goes to a file, and it is stopped by its PID only.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace strato::test {

// The path of program `name` on PATH or in the usual sbin/bin directories; throws naming the
// Debian `package` that has it (./scripts/install-deps installs them).
std::string findProgram(const std::string& name, const std::string& package);

// Runs `exe` to completion (output appended to `log`); throws with its output unless it exits 0
// within `timeout`.
void runOrThrow(const std::string& exe, const std::vector<std::string>& args,
                const std::filesystem::path& log,
                std::chrono::milliseconds timeout = std::chrono::seconds(30));

class Process {
 public:
  // `extraEnv` entries ("KEY=VALUE") are added to the test's environment. Stdout and stderr are
  // appended to `outputFile`.
  static std::unique_ptr<Process> start(const std::string& exe,
                                        const std::vector<std::string>& args,
                                        const std::vector<std::string>& extraEnv,
                                        const std::filesystem::path& outputFile);
  ~Process();  // stop()s a process still running
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  // Exit code (128 + signal when killed by one), or nullopt if still running after `timeout`.
  std::optional<int> waitExit(std::chrono::milliseconds timeout);
  // SIGTERM, then SIGKILL after `grace`; returns the exit code.
  int stop(std::chrono::milliseconds grace = std::chrono::seconds(5));
  std::string readOutput() const;

 private:
  Process(pid_t pid, std::filesystem::path output) : pid_(pid), output_(std::move(output)) {}
  bool reap(int options);

  pid_t pid_;
  std::filesystem::path output_;
  std::optional<int> exitCode_;
};

}  // namespace strato::test
