#include "query/field_codec.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <optional>
#include <string>

#include "strato/time_format.h"

namespace strato::kernel {
namespace {

std::optional<std::int64_t> parseInt64(std::string_view text) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<double> parseDouble(std::string_view text) {
  // strtod needs a terminated string and accepts leading spaces, which we do not.
  std::string copy(text);
  if (copy.empty() || std::isspace(static_cast<unsigned char>(copy[0]))) return std::nullopt;
  char* end = nullptr;
  double value = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::string lowercase(std::string_view text) {
  std::string out;
  for (char c : text) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Local wall-clock time to epoch ms; nullopt when a part is out of range (e.g. February 30).
std::optional<std::int64_t> localMillis(int year, int month, int day, int hour, int minute,
                                        int second) {
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0 ||
      minute > 59 || second < 0 || second > 59 || year < 1970 || year > 9999) {
    return std::nullopt;
  }
  std::tm t{};
  t.tm_year = year - 1900;
  t.tm_mon = month - 1;
  t.tm_mday = day;
  t.tm_hour = hour;
  t.tm_min = minute;
  t.tm_sec = second;
  t.tm_isdst = -1;  // let the zone rules decide
  std::time_t seconds = std::mktime(&t);
  if (seconds == static_cast<std::time_t>(-1) || t.tm_mday != day || t.tm_mon != month - 1) {
    return std::nullopt;
  }
  return static_cast<std::int64_t>(seconds) * 1000;
}

std::optional<std::int64_t> parseDate(std::string_view text) {
  if (auto millis = parseInt64(text)) return millis;
  std::string s(text);
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, used = -1;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2d %2d:%2d:%2d%n", &year, &month, &day, &hour, &minute,
                  &second, &used) == 6 &&
      used == static_cast<int>(s.size())) {
    return localMillis(year, month, day, hour, minute, second);
  }
  // Gson's default US form, the one every reply carries: "Nov 14, 2017 10:20:57 PM".
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char monthName[4] = {};
  char half[3] = {};
  used = -1;
  if (std::sscanf(s.c_str(), "%3s %2d, %4d %2d:%2d:%2d %2s%n", monthName, &day, &year, &hour,
                  &minute, &second, half, &used) != 7 ||
      used != static_cast<int>(s.size()) || hour < 1 || hour > 12) {
    return std::nullopt;
  }
  month = 0;
  for (int m = 0; m < 12; ++m) {
    if (std::strcmp(monthName, kMonths[m]) == 0) month = m + 1;
  }
  if (std::strcmp(half, "AM") == 0) {
    hour = hour % 12;
  } else if (std::strcmp(half, "PM") == 0) {
    hour = hour % 12 + 12;
  } else {
    return std::nullopt;
  }
  return localMillis(year, month, day, hour, minute, second);
}

Error notConvertible(const InventoryField& field, std::string_view text, const char* expected) {
  return makeError(ErrorCode::kInvalidArgument, "value '" + std::string(text) + "' of field '" +
                                                    field.name + "' is not " + expected);
}

}  // namespace

Result<DbValue> toBoundValue(const InventoryField& field, std::string_view text) {
  switch (field.type) {
    case FieldType::kString:
    case FieldType::kJson:
      return DbValue(std::string(text));
    case FieldType::kInteger:
      if (auto v = parseInt64(text)) return DbValue(*v);
      return notConvertible(field, text, "an integer");
    case FieldType::kFloat:
      if (auto v = parseDouble(text)) return DbValue(*v);
      return notConvertible(field, text, "a number");
    case FieldType::kBoolean: {
      std::string lower = lowercase(text);
      if (lower == "true") return DbValue(std::int64_t{1});
      if (lower == "false") return DbValue(std::int64_t{0});
      return notConvertible(field, text, "true or false");
    }
    case FieldType::kDate:
      if (auto v = parseDate(text)) return DbValue(*v);
      return notConvertible(field, text,
                            "a date (epoch milliseconds, 'yyyy-MM-dd HH:mm:ss' or "
                            "'Nov 14, 2017 10:20:57 PM')");
  }
  return notConvertible(field, text, "of a known type");
}

Json renderValue(FieldType type, const DbValue& value) {
  const auto* i = std::get_if<std::int64_t>(&value);
  const auto* d = std::get_if<double>(&value);
  const auto* s = std::get_if<std::string>(&value);
  switch (type) {
    case FieldType::kInteger:
      if (i) return *i;
      if (d) return static_cast<std::int64_t>(*d);
      if (s) {
        if (auto v = parseInt64(*s)) return *v;
      }
      break;
    case FieldType::kFloat:
      if (i) return static_cast<double>(*i);
      if (d) return *d;
      if (s) {
        if (auto v = parseDouble(*s)) return *v;
      }
      break;
    case FieldType::kBoolean:
      if (i) return *i != 0;
      if (d) return *d != 0;
      if (s) return *s == "1" || lowercase(*s) == "true";
      break;
    case FieldType::kDate:
      if (i) return formatGsonDate(*i);
      if (d) return formatGsonDate(static_cast<std::int64_t>(*d));
      if (s) {
        if (auto v = parseInt64(*s)) return formatGsonDate(*v);
      }
      break;
    case FieldType::kJson:
      if (s) {
        Json parsed = Json::parse(*s, nullptr, /*allow_exceptions=*/false);
        if (!parsed.is_discarded()) return parsed;
      }
      break;
    case FieldType::kString:
      // A TEXT column may hold a number written by other code; the field is still a string.
      if (i) return std::to_string(*i);
      if (d) return Json(*d).dump();
      break;
  }
  // A value of an unexpected storage class is shown as it is rather than failing the query.
  if (i) return *i;
  if (d) return *d;
  if (s) return *s;
  return nullptr;
}

Json renderRow(const std::vector<const InventoryField*>& fields, const std::vector<DbValue>& row) {
  Json item = Json::object();
  for (std::size_t c = 0; c < fields.size(); ++c) {
    if (std::holds_alternative<std::monostate>(row.at(c))) continue;
    item[fields[c]->name] = renderValue(fields[c]->type, row[c]);
  }
  return item;
}

}  // namespace strato::kernel
