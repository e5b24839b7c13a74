// Logging for plugins. The kernel gives each plugin its own named logger (`plugin.<name>`),
// backed by the kernel's log sinks. Thread-safe: call from any thread.
#pragma once

#include <string_view>

namespace strato {

enum class LogLevel { kTrace, kDebug, kInfo, kWarn, kError };

class Logger {
 public:
  virtual ~Logger() = default;
  virtual void log(LogLevel level, std::string_view message) = 0;
  virtual bool enabled(LogLevel level) const = 0;

  // Messages are one line of `event key=value key=value`, so logs stay greppable.
  void trace(std::string_view m) { log(LogLevel::kTrace, m); }
  void debug(std::string_view m) { log(LogLevel::kDebug, m); }
  void info(std::string_view m) { log(LogLevel::kInfo, m); }
  void warn(std::string_view m) { log(LogLevel::kWarn, m); }
  void error(std::string_view m) { log(LogLevel::kError, m); }
};

}  // namespace strato
