#include "support/process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace strato::test {

std::string findProgram(const std::string& name, const std::string& package) {
  std::string path = std::getenv("PATH") ? std::getenv("PATH") : "";
  path += ":/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin";
  std::stringstream dirs(path);
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    auto candidate = std::filesystem::path(dir) / name;
    if (!dir.empty() && access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  throw std::runtime_error(name + " not found: install " + package +
                           " (./scripts/install-deps does)");
}

std::unique_ptr<Process> Process::start(const std::string& exe,
                                        const std::vector<std::string>& args,
                                        const std::vector<std::string>& extraEnv,
                                        const std::filesystem::path& outputFile) {
  // Everything the child needs is prepared before fork: after it, only async-signal-safe calls.
  std::vector<std::string> argStrings{exe};
  argStrings.insert(argStrings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argStrings) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> envStrings;
  for (char** e = environ; *e; ++e) envStrings.emplace_back(*e);
  envStrings.insert(envStrings.end(), extraEnv.begin(), extraEnv.end());
  std::vector<char*> envp;
  for (auto& e : envStrings) envp.push_back(e.data());
  envp.push_back(nullptr);

  int out = ::open(outputFile.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (out < 0)
    throw std::runtime_error("cannot open " + outputFile.string() + ": " + strerror(errno));
  pid_t pid = fork();
  if (pid < 0) {
    ::close(out);
    throw std::runtime_error(std::string("fork failed: ") + strerror(errno));
  }
  if (pid == 0) {
    setpgid(0, 0);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    dup2(out, STDOUT_FILENO);
    dup2(out, STDERR_FILENO);
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, STDIN_FILENO);
    execve(exe.c_str(), argv.data(), envp.data());
    const char msg[] = "exec failed\n";
    (void)!write(STDERR_FILENO, msg, sizeof msg - 1);
    _exit(127);
  }
  ::close(out);
  return std::unique_ptr<Process>(new Process(pid, outputFile));
}

Process::~Process() {
  if (running()) stop();
}

bool Process::reap(int options) {
  if (exitCode_) return true;
  int status = 0;
  pid_t r = waitpid(pid_, &status, options);
  if (r != pid_) return false;
  exitCode_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return true;
}

bool Process::running() { return !reap(WNOHANG); }

std::optional<int> Process::waitExit(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!reap(WNOHANG)) {
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return exitCode_;
}

int Process::stop(std::chrono::milliseconds grace) {
  if (!running()) return *exitCode_;
  kill(pid_, SIGTERM);
  if (auto code = waitExit(grace)) return *code;
  kill(pid_, SIGKILL);
  reap(0);
  return *exitCode_;
}

std::string Process::readOutput() const {
  std::ifstream in(output_);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void runOrThrow(const std::string& exe, const std::vector<std::string>& args,
                const std::filesystem::path& log, std::chrono::milliseconds timeout) {
  auto p = Process::start(exe, args, {}, log);
  if (p->waitExit(timeout) != 0) throw std::runtime_error(exe + " failed: " + p->readOutput());
}

}  // namespace strato::test
