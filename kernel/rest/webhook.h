// Delivers an async job's result to the caller's X-Web-Hook URL (section 2.8 of the manual):
// POST of the result body with X-Job-UUID and X-Job-Success, retried with growing pauses while
// the receiver is unreachable or answers other than 2xx. Blocks: run it on the blocking pool.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "strato/result.h"

namespace strato::kernel {

struct WebhookDelivery {
  std::string url;
  std::string jobUuid;
  bool success = false;
  std::string body;
};

struct WebhookPolicy {
  int attempts = 5;
  std::chrono::milliseconds firstPause{500};  // doubles after every failed attempt
  std::chrono::milliseconds timeout{10000};
};

// Only http:// URLs; anything else is refused when the job is submitted.
Status checkWebhookUrl(const std::string& url);

// Sends deliveries on its own thread, so that a receiver that is down delays only other
// webhooks, never the bus's blocking pool. Retries are scheduled, not slept through.
class WebhookSender {
 public:
  explicit WebhookSender(WebhookPolicy policy = {});
  ~WebhookSender();  // drops what is still queued
  void send(WebhookDelivery delivery);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace strato::kernel
