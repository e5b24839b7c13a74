// Time helpers shared by the kernel and plugins: epoch milliseconds, and the date form ZStack
// clients parse (Gson's default US format, local time): "Nov 14, 2017 10:20:57 PM".
#pragma once

#include <chrono>
#include <cstdint>
#include <ctime>
#include <string>

namespace strato {

inline std::int64_t nowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

inline std::string formatGsonDate(std::int64_t epochMillis) {
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t seconds = static_cast<std::time_t>(epochMillis / 1000);
  std::tm t{};
  localtime_r(&seconds, &t);
  int hour12 = t.tm_hour % 12 == 0 ? 12 : t.tm_hour % 12;
  char out[48];
  std::snprintf(out, sizeof out, "%s %d, %d %d:%02d:%02d %s", kMonths[t.tm_mon], t.tm_mday,
                t.tm_year + 1900, hour12, t.tm_min, t.tm_sec, t.tm_hour < 12 ? "AM" : "PM");
  return out;
}

}  // namespace strato
