#include "http_load.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

namespace strato::bench {

double LoadResult::percentileMs(double p) const {
  if (latenciesMs.empty()) return 0;
  auto index =
      static_cast<std::size_t>(p / 100.0 * static_cast<double>(latenciesMs.size() - 1) + 0.5);
  return latenciesMs[std::min(index, latenciesMs.size() - 1)];
}

LoadResult runLoad(const LoadSpec& spec) {
  std::atomic<long> next{0};
  std::atomic<long> failures{0};
  std::mutex merge;
  LoadResult result;
  auto worker = [&] {
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(spec.port));
    session.setKeepAlive(true);
    std::vector<double> mine;
    std::string body;
    for (long i = next++; i < spec.requests; i = next++) {
      Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, spec.path(i),
                                     Poco::Net::HTTPMessage::HTTP_1_1);
      for (const auto& [k, v] : spec.headers) request.set(k, v);
      auto start = std::chrono::steady_clock::now();
      try {
        session.sendRequest(request);
        Poco::Net::HTTPResponse response;
        auto& in = session.receiveResponse(response);
        body.assign(std::istreambuf_iterator<char>(in), {});
        if (response.getStatus() != spec.expectStatus) ++failures;
      } catch (const Poco::Exception&) {
        ++failures;
        session.reset();
      }
      mine.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
              .count());
    }
    std::lock_guard lock(merge);
    result.latenciesMs.insert(result.latenciesMs.end(), mine.begin(), mine.end());
  };
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < spec.connections; ++c) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.requests = spec.requests;
  result.failures = failures;
  std::sort(result.latenciesMs.begin(), result.latenciesMs.end());
  return result;
}

}  // namespace strato::bench
