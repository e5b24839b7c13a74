// Quartz cron expressions, which ZStack's schedulers take: "sec min hour day-of-month month
// day-of-week [year]". A field is *, ?, a number or a name (JAN-DEC, SUN-SAT), a range a-b, a
// step (*/n, a/n, a-b/n), or a list of these. Quartz numbers the days of the week 1 (SUN) to
// 7 (SAT), and one of the two day fields must be '?'. Quartz's L, W and # and a year other than
// '*' are refused as not supported, never misread.
#pragma once

#include <bitset>
#include <cstdint>
#include <optional>
#include <string_view>

#include <strato/result.h>

namespace strato::scheduler {

struct CronSchedule {
  std::bitset<60> seconds, minutes;
  std::bitset<24> hours;
  std::bitset<32> days;     // 1..31
  std::bitset<13> months;   // 1..12
  std::bitset<8> weekdays;  // 1..7, 1 = Sunday
  bool byWeekday = false;   // the day-of-week field chooses the days, not the day-of-month one
};

// kInvalidArgument naming the field that is wrong.
Result<CronSchedule> parseCron(std::string_view text);

// The first second after `after` (seconds since the epoch) that matches, in this machine's time
// zone; none within five years (a 30th of February, say).
std::optional<std::int64_t> nextFire(const CronSchedule& schedule, std::int64_t after);

}  // namespace strato::scheduler
