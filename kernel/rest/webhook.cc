#include "rest/webhook.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/URI.h>

#include <fmt/format.h>

#include <condition_variable>
#include <mutex>
#include <queue>
#include <thread>

#include "log/logging.h"

namespace strato::kernel {

Status checkWebhookUrl(const std::string& url) {
  try {
    Poco::URI uri(url);
    if (uri.getScheme() != "http" || uri.getHost().empty()) {
      return makeError(ErrorCode::kInvalidArgument, "X-Web-Hook must be an http:// URL", url);
    }
  } catch (const Poco::Exception& e) {
    return makeError(ErrorCode::kInvalidArgument, "X-Web-Hook is not a URL", e.displayText());
  }
  return {};
}

namespace {

Status postOnce(const WebhookDelivery& d, std::chrono::milliseconds timeout) {
  try {
    Poco::URI uri(d.url);
    Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
    session.setTimeout(
        Poco::Timespan(std::chrono::duration_cast<std::chrono::microseconds>(timeout).count()));
    std::string path = uri.getPathAndQuery().empty() ? "/" : uri.getPathAndQuery();
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, path,
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    request.setContentType("application/json; charset=utf-8");
    request.setContentLength(static_cast<std::streamsize>(d.body.size()));
    request.set("X-Job-UUID", d.jobUuid);
    request.set("X-Job-Success", d.success ? "true" : "false");
    session.sendRequest(request) << d.body;
    Poco::Net::HTTPResponse response;
    session.receiveResponse(response).ignore(std::numeric_limits<std::streamsize>::max());
    int status = response.getStatus();
    if (status < 200 || status >= 300) {
      return makeError(ErrorCode::kUnavailable, "webhook answered " + std::to_string(status));
    }
    return {};
  } catch (const Poco::Exception& e) {
    return makeError(ErrorCode::kUnavailable, "webhook unreachable", e.displayText());
  }
}

}  // namespace

struct WebhookSender::Impl {
  struct Pending {
    std::chrono::steady_clock::time_point due;
    int attempt;
    WebhookDelivery delivery;
    bool operator>(const Pending& o) const { return due > o.due; }
  };

  WebhookPolicy policy;
  std::mutex mutex;
  std::condition_variable wake;
  std::priority_queue<Pending, std::vector<Pending>, std::greater<>> queue;
  bool stopping = false;
  std::thread thread;

  void run() {
    std::unique_lock lock(mutex);
    while (!stopping) {
      if (queue.empty()) {
        wake.wait(lock);
        continue;
      }
      // Re-check after any wake-up: a new delivery may be due sooner, or we may be stopping.
      if (std::chrono::steady_clock::now() < queue.top().due) {
        wake.wait_until(lock, queue.top().due);
        continue;
      }
      Pending next = queue.top();
      queue.pop();
      lock.unlock();
      Status sent = postOnce(next.delivery, policy.timeout);
      lock.lock();
      if (sent) continue;
      if (next.attempt >= policy.attempts) {
        componentLogger("kernel.rest")
            ->warn(fmt::format("webhook given up job={} url={} error=\"{}\"", next.delivery.jobUuid,
                               next.delivery.url, sent.error().describe()));
        continue;
      }
      next.due = std::chrono::steady_clock::now() + policy.firstPause * (1 << (next.attempt - 1));
      ++next.attempt;
      queue.push(std::move(next));
    }
  }
};

WebhookSender::WebhookSender(WebhookPolicy policy) : impl_(std::make_unique<Impl>()) {
  impl_->policy = policy;
  impl_->thread = std::thread([impl = impl_.get()] { impl->run(); });
}

WebhookSender::~WebhookSender() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->wake.notify_all();
  impl_->thread.join();
}

void WebhookSender::send(WebhookDelivery delivery) {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->queue.push({std::chrono::steady_clock::now(), 1, std::move(delivery)});
  }
  impl_->wake.notify_all();
}

}  // namespace strato::kernel
