#include "log/logging.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <map>
#include <mutex>

namespace strato::kernel {
namespace {

spdlog::level::level_enum toSpd(LogLevel level) {
  switch (level) {
    case LogLevel::kTrace: return spdlog::level::trace;
    case LogLevel::kDebug: return spdlog::level::debug;
    case LogLevel::kInfo: return spdlog::level::info;
    case LogLevel::kWarn: return spdlog::level::warn;
    case LogLevel::kError: return spdlog::level::err;
  }
  return spdlog::level::info;
}

class SpdLogger final : public Logger {
 public:
  explicit SpdLogger(std::shared_ptr<spdlog::logger> impl) : impl_(std::move(impl)) {}
  void log(LogLevel level, std::string_view message) override {
    impl_->log(toSpd(level), message);
  }
  bool enabled(LogLevel level) const override { return impl_->should_log(toSpd(level)); }

 private:
  std::shared_ptr<spdlog::logger> impl_;
};

struct LogState {
  std::mutex mutex;
  spdlog::sink_ptr sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  spdlog::level::level_enum level = spdlog::level::info;
  std::map<std::string, std::pair<std::shared_ptr<spdlog::logger>, std::shared_ptr<Logger>>>
      loggers;
};

LogState& state() {
  static auto* s = new LogState();  // never destroyed: loggers are used until the very end
  return *s;
}

}  // namespace

Status configureLogging(const std::string& level, const std::string& file) {
  auto parsed = spdlog::level::from_str(level == "warn" ? "warning" : level);
  if (parsed == spdlog::level::off && level != "off") {
    return makeError(ErrorCode::kInvalidArgument, "unknown log level '" + level + "'");
  }
  spdlog::sink_ptr sink;
  try {
    if (file.empty()) {
      sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    } else {
      sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(file);
    }
  } catch (const spdlog::spdlog_ex& e) {
    return makeError(ErrorCode::kInvalidArgument, "cannot open log file " + file, e.what());
  }
  sink->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ [%n] %v");
  auto& s = state();
  std::lock_guard lock(s.mutex);
  s.sink = sink;
  s.level = parsed;
  for (auto& [name, entry] : s.loggers) {
    entry.first->sinks() = {sink};
    entry.first->set_level(parsed);
  }
  return {};
}

std::shared_ptr<Logger> componentLogger(const std::string& component) {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  auto it = s.loggers.find(component);
  if (it != s.loggers.end()) return it->second.second;
  auto impl = std::make_shared<spdlog::logger>(component, s.sink);
  impl->set_level(s.level);
  impl->flush_on(spdlog::level::info);
  auto wrapper = std::make_shared<SpdLogger>(impl);
  s.loggers.emplace(component, std::make_pair(impl, wrapper));
  return wrapper;
}

}  // namespace strato::kernel
