#include "cron.h"

#include <array>
#include <cctype>
#include <charconv>
#include <ctime>
#include <string>
#include <vector>

namespace strato::scheduler {
namespace {

struct Field {
  const char* name;
  int low, high;
  const std::array<const char*, 12>* names;  // names[i] stands for low + i
};

constexpr std::array<const char*, 12> kMonths{"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                              "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr std::array<const char*, 12> kWeekdays{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

constexpr std::array<Field, 6> kFields{{{"seconds", 0, 59, nullptr},
                                        {"minutes", 0, 59, nullptr},
                                        {"hours", 0, 23, nullptr},
                                        {"day-of-month", 1, 31, nullptr},
                                        {"month", 1, 12, &kMonths},
                                        {"day-of-week", 1, 7, &kWeekdays}}};

Error bad(const Field& f, std::string_view text, const std::string& why) {
  return makeError(ErrorCode::kInvalidArgument,
                   std::string("cron ") + f.name + " field '" + std::string(text) + "': " + why,
                   "Quartz form: sec min hour day-of-month month day-of-week [year]");
}

Result<int> value(const Field& f, std::string_view text) {
  if (f.names) {
    for (std::size_t i = 0; i < f.names->size() && (*f.names)[i]; ++i) {
      std::string upper(text);
      for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (upper == (*f.names)[i]) return f.low + static_cast<int>(i);
    }
  }
  int v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size())
    return bad(f, text, "not a number or name");
  if (v < f.low || v > f.high)
    return bad(f, text, "out of " + std::to_string(f.low) + "-" + std::to_string(f.high));
  return v;
}

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == sep) {
      out.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

// One field into the values it allows (bits low..high).
Result<std::bitset<64>> parseField(const Field& f, std::string_view text) {
  std::bitset<64> out;
  for (auto part : split(text, ',')) {
    if (part.find_first_of("LW#") != std::string_view::npos)
      return makeError(ErrorCode::kNotSupported, std::string("cron ") + f.name + " field '" +
                                                     std::string(text) +
                                                     "': Quartz's L, W and # are not supported");
    int step = 1;
    if (auto slash = part.find('/'); slash != std::string_view::npos) {
      auto s = value({f.name, 1, f.high, nullptr}, part.substr(slash + 1));
      if (!s) return bad(f, text, "the step must be 1-" + std::to_string(f.high));
      step = *s;
      part = part.substr(0, slash);
    }
    int from = f.low, to = f.high;
    if (part != "*" && part != "?") {
      auto dash = part.find('-');
      auto a = value(f, part.substr(0, dash));
      if (!a) return a.error();
      from = to = *a;
      if (dash != std::string_view::npos) {
        auto b = value(f, part.substr(dash + 1));
        if (!b) return b.error();
        if (*b < *a) return bad(f, text, "a range runs upwards");
        to = *b;
      } else if (step > 1) {
        to = f.high;  // "a/n": from a on
      }
    }
    for (int v = from; v <= to; v += step) out.set(static_cast<std::size_t>(v));
  }
  return out;
}

template <std::size_t N>
std::bitset<N> narrow(const std::bitset<64>& b) {
  std::bitset<N> out;
  for (std::size_t i = 0; i < N; ++i) out[i] = b[i];
  return out;
}

}  // namespace

Result<CronSchedule> parseCron(std::string_view text) {
  std::vector<std::string_view> words;
  for (auto w : split(text, ' '))
    if (!w.empty()) words.push_back(w);
  if (words.size() != 6 && words.size() != 7) {
    return makeError(ErrorCode::kInvalidArgument,
                     "a cron expression has 6 or 7 fields, not " + std::to_string(words.size()),
                     "Quartz form: sec min hour day-of-month month day-of-week [year]");
  }
  if (words.size() == 7 && words[6] != "*") {
    return makeError(ErrorCode::kNotSupported, "a cron year other than '*' is not supported",
                     std::string(words[6]));
  }
  // Which day field chooses: the one that is not '?' (or, Quartz aside, not '*').
  bool domAny = words[3] == "?", dowAny = words[5] == "?";
  bool byWeekday = domAny;
  if (domAny == dowAny) {
    if (domAny || (words[3] != "*" && words[5] != "*")) {
      return makeError(ErrorCode::kInvalidArgument,
                       "one of the cron day-of-month and day-of-week fields must be '?'",
                       std::string(text));
    }
    byWeekday = words[3] == "*" && words[5] != "*";
  }
  std::array<std::bitset<64>, 6> sets;
  for (std::size_t i = 0; i < kFields.size(); ++i) {
    auto set = parseField(kFields[i], words[i]);
    if (!set) return set.error();
    sets[i] = *set;
  }
  CronSchedule c;
  c.seconds = narrow<60>(sets[0]);
  c.minutes = narrow<60>(sets[1]);
  c.hours = narrow<24>(sets[2]);
  c.days = narrow<32>(sets[3]);
  c.months = narrow<13>(sets[4]);
  c.weekdays = narrow<8>(sets[5]);
  c.byWeekday = byWeekday;
  return c;
}

std::optional<std::int64_t> nextFire(const CronSchedule& c, std::int64_t after) {
  std::time_t t = static_cast<std::time_t>(after + 1);
  std::tm day{};
  localtime_r(&t, &day);
  int fromH = day.tm_hour, fromM = day.tm_min, fromS = day.tm_sec;
  for (int i = 0; i < 366 * 5; ++i) {
    bool dayMatches = c.months[day.tm_mon + 1] &&
                      (c.byWeekday ? c.weekdays[day.tm_wday + 1] : c.days[day.tm_mday]);
    if (dayMatches) {
      for (int h = fromH; h < 24; ++h) {
        if (!c.hours[h]) continue;
        for (int m = h == fromH ? fromM : 0; m < 60; ++m) {
          if (!c.minutes[m]) continue;
          for (int s = h == fromH && m == fromM ? fromS : 0; s < 60; ++s) {
            if (!c.seconds[s]) continue;
            std::tm at = day;
            at.tm_hour = h, at.tm_min = m, at.tm_sec = s, at.tm_isdst = -1;
            std::int64_t when = std::mktime(&at);
            if (when > after) return when;
          }
        }
      }
    }
    // The next day, from its first second.
    day.tm_mday += 1;
    day.tm_hour = day.tm_min = day.tm_sec = 0;
    day.tm_isdst = -1;
    std::time_t next = std::mktime(&day);
    localtime_r(&next, &day);
    fromH = fromM = fromS = 0;
  }
  return std::nullopt;
}

}  // namespace strato::scheduler
