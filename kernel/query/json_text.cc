#include "query/json_text.h"

#include <charconv>

#include "query/field_codec.h"
#include "strato/time_format.h"

namespace strato::kernel {

void appendJsonString(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  std::size_t plain = 0;  // start of the run of bytes copied as they are
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text.substr(plain, i - plain));
    plain = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xf];
    }
  }
  out.append(text.substr(plain));
  out += '"';
}

void appendRenderedValue(std::string& out, FieldType type, const DbValue& value) {
  // The kinds a listing is made of; anything else goes through renderValue.
  const auto* i = std::get_if<std::int64_t>(&value);
  const auto* s = std::get_if<std::string>(&value);
  if (type == FieldType::kString && s) return appendJsonString(out, *s);
  if (type == FieldType::kInteger && i) {
    char digits[24];
    auto end = std::to_chars(digits, digits + sizeof digits, *i).ptr;
    out.append(digits, end);
    return;
  }
  if (type == FieldType::kDate && i) return appendJsonString(out, formatGsonDate(*i));
  if (type == FieldType::kBoolean && i) {
    out += *i != 0 ? "true" : "false";
    return;
  }
  out += renderValue(type, value).dump();
}

bool appendMembers(std::string& out, const std::vector<const InventoryField*>& fields,
                   const std::vector<DbValue>& row) {
  bool wrote = false;
  for (std::size_t c = 0; c < fields.size(); ++c) {
    if (std::holds_alternative<std::monostate>(row.at(c))) continue;
    if (wrote) out += ',';
    wrote = true;
    appendJsonString(out, fields[c]->name);
    out += ':';
    appendRenderedValue(out, fields[c]->type, row[c]);
  }
  return wrote;
}

}  // namespace strato::kernel
