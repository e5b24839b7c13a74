// One scenario's figure over a benchmark's repeated runs, as the result files write it:
// {"scenario", "min", "median", "max"}.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace strato::bench {

template <class Run>
nlohmann::json spread(const std::vector<Run>& runs, const std::string& scenario,
                      double Run::*field) {
  std::vector<double> v;
  for (const auto& r : runs) v.push_back(r.*field);
  std::sort(v.begin(), v.end());
  return {{"scenario", scenario}, {"min", v.front()}, {"median", v[v.size() / 2]}, {"max", v.back()}};
}

}  // namespace strato::bench
