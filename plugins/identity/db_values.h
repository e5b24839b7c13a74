// Reading DbValue cells: SQLite and MariaDB do not always agree on the C++ type of a column
// (COUNT(*) or BIGINT may arrive as integer, real or text), so convert leniently.
#pragma once

#include <cstdint>
#include <string>
#include <variant>

#include "strato/database.h"

namespace strato::identity {

inline std::string textOf(const DbValue& v) {
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
  return {};
}

inline std::int64_t intOf(const DbValue& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return *i;
  if (const auto* d = std::get_if<double>(&v)) return static_cast<std::int64_t>(*d);
  if (const auto* s = std::get_if<std::string>(&v)) {
    try {
      return std::stoll(*s);
    } catch (...) {
      return 0;
    }
  }
  return 0;
}

}  // namespace strato::identity
