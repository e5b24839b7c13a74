// A closed-loop HTTP load generator: `connections` keep-alive connections, each sending its next
// request as soon as the previous answer arrived, for a fixed number of requests. Records every
// latency so percentiles are exact.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace strato::bench {

struct LoadSpec {
  int port = 0;
  int connections = 8;
  long requests = 10000;
  std::map<std::string, std::string> headers;
  // Path of the i-th request (GET).
  std::function<std::string(long i)> path;
  int expectStatus = 200;
};

struct LoadResult {
  double seconds = 0;
  long requests = 0;
  long failures = 0;                // wrong status or no answer
  std::vector<double> latenciesMs;  // sorted

  double perSecond() const { return requests / seconds; }
  double percentileMs(double p) const;
};

LoadResult runLoad(const LoadSpec& spec);

}  // namespace strato::bench
