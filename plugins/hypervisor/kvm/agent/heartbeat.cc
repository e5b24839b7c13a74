#include "heartbeat.h"

#include <algorithm>

#include <strato/uuid.h>

#include "agent_client/shared_storage.h"
#include "host_files.h"

namespace strato::kvm {

Heartbeat::Heartbeat(Logger& logger) : logger_(logger), token_(newUuid()) {
  thread_ = std::thread([this] { run(); });
}

Heartbeat::~Heartbeat() { stop(); }

void Heartbeat::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Heartbeat::configure(const Json& body) {
  const Json& h = body.value("heartbeat", Json());
  if (!h.is_object()) return;
  std::vector<std::string> roots;
  for (const auto& root : h.value("roots", Json::array())) {
    if (root.is_string()) roots.push_back(root.get<std::string>());
  }
  {
    std::lock_guard lock(mutex_);
    host_ = body.value("hostUuid", std::string());
    roots_ = std::move(roots);
    interval_ = std::chrono::milliseconds(std::max<std::int64_t>(h.value("intervalMs", 2000), 100));
  }
  changed_.notify_all();
}

void Heartbeat::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (!host_.empty() && !roots_.empty()) {
      auto host = host_;
      auto roots = roots_;
      lock.unlock();
      beat(host, roots);
      lock.lock();
    }
    changed_.wait_for(lock, interval_);
  }
}

void Heartbeat::beat(const std::string& host, const std::vector<std::string>& roots) {
  std::string content = token_ + " " + std::to_string(++count_) + "\n";
  for (const auto& root : roots) {
    auto written = files::writeSmall(agent::heartbeatPath(root, host), content);
    if (!written) logger_.warn("heartbeat.failed root=" + root + " " + written.error().describe());
  }
}

}  // namespace strato::kvm
