// Quartz cron expressions of the scheduler plugin (plugins/scheduler/cron.h): what parses, what is
// refused, and when each fires next. Times are read in UTC (TZ is set for this process).
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

#include "cron.h"

namespace strato::scheduler {
namespace {

class CronTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ::setenv("TZ", "UTC", 1);
    ::tzset();
  }
  // Seconds since the epoch of a UTC date and time.
  static std::int64_t at(int year, int month, int day, int hour, int minute, int second) {
    std::tm t{};
    t.tm_year = year - 1900, t.tm_mon = month - 1, t.tm_mday = day;
    t.tm_hour = hour, t.tm_min = minute, t.tm_sec = second;
    return ::timegm(&t);
  }
  static std::int64_t next(const char* cron, std::int64_t after) {
    auto schedule = parseCron(cron);
    EXPECT_TRUE(schedule) << cron << ": " << schedule.error().describe();
    if (!schedule) return -1;
    auto fire = nextFire(*schedule, after);
    return fire ? *fire : -1;
  }
};

TEST_F(CronTest, FiresAtTheNextMatchingSecond) {
  std::int64_t noon = at(2026, 12, 5, 12, 0, 0);
  EXPECT_EQ(next("* * * * * ?", noon), noon + 1);
  EXPECT_EQ(next("*/15 * * * * ?", noon), noon + 15);
  EXPECT_EQ(next("0 0 12 * * ?", noon), at(2026, 12, 6, 12, 0, 0));
  EXPECT_EQ(next("0 30 9-17/4 * * ?", noon), at(2026, 12, 5, 13, 30, 0));
  EXPECT_EQ(next("0 0 0 1 JAN ?", noon), at(2027, 1, 1, 0, 0, 0));
  // 2026-12-05 is a Saturday; Quartz's 2 is Monday.
  EXPECT_EQ(next("0 0 8 ? * MON-FRI", noon), at(2026, 12, 7, 8, 0, 0));
  EXPECT_EQ(next("0 0 8 ? * 2", noon), at(2026, 12, 7, 8, 0, 0));
  EXPECT_EQ(next("0 0 8 ? * SUN,SAT", noon), at(2026, 12, 6, 8, 0, 0));
  EXPECT_EQ(next("0 0 0 29 FEB ? *", noon), at(2028, 2, 29, 0, 0, 0));
  EXPECT_EQ(next("5,10 0 0 31 * ?", at(2026, 11, 30, 0, 0, 0)), at(2026, 12, 31, 0, 0, 5));
  EXPECT_EQ(next("0 0 0 30 FEB ?", noon), -1);
}

TEST_F(CronTest, RefusesWhatItCannotReadOrDoesNotSupport) {
  for (const char* bad :
       {"", "* * * * *", "* * * * * ? * *", "60 * * * * ?", "* 0-60 * * * ?", "* * 24 * * ?",
        "* * * 0 * ?", "* * * * 13 ?", "* * * ? * 8", "* * * ? * FOO", "* * * 5-1 * ?",
        "*/0 * * * * ?", "* * * 1 * 2", "* * * ? * ?", "a * * * * ?"}) {
    auto parsed = parseCron(bad);
    ASSERT_FALSE(parsed) << "'" << bad << "' parsed";
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument) << bad;
  }
  for (const char* unsupported :
       {"0 0 0 L * ?", "0 0 0 15W * ?", "0 0 0 ? * 6#3", "0 0 0 * * ? 2027"}) {
    auto parsed = parseCron(unsupported);
    ASSERT_FALSE(parsed) << unsupported;
    EXPECT_EQ(parsed.error().code, ErrorCode::kNotSupported) << unsupported;
  }
}

}  // namespace
}  // namespace strato::scheduler
