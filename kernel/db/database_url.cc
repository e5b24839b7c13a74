#include "db/database_url.h"

#include <charconv>

namespace strato::kernel {
namespace {

Error badUrl(const std::string& url, const std::string& why) {
  return makeError(ErrorCode::kInvalidArgument, "bad database.url: " + why,
                   "expected sqlite:<path> or mysql://user:password@host:port/database");
}

}  // namespace

std::string DatabaseUrl::redacted() const {
  if (dialect == DbDialect::kSqlite) return "sqlite:" + sqlitePath;
  return "mysql://" + user + (password.empty() ? "" : ":***") + "@" + host + ":" +
         std::to_string(port) + "/" + database;
}

Result<DatabaseUrl> parseDatabaseUrl(const std::string& url) {
  DatabaseUrl out;
  if (url.rfind("sqlite:", 0) == 0) {
    out.dialect = DbDialect::kSqlite;
    out.sqlitePath = url.substr(7);
    if (out.sqlitePath.rfind("//", 0) == 0) out.sqlitePath = out.sqlitePath.substr(2);
    if (out.sqlitePath.empty()) return badUrl(url, "no SQLite file path");
    return out;
  }
  const std::string scheme = "mysql://";
  if (url.rfind(scheme, 0) != 0) return badUrl(url, "unknown scheme in '" + url + "'");
  out.dialect = DbDialect::kMysql;
  std::string rest = url.substr(scheme.size());
  auto at = rest.rfind('@');
  if (at == std::string::npos) return badUrl(url, "no user@host");
  std::string credentials = rest.substr(0, at);
  rest = rest.substr(at + 1);
  auto colon = credentials.find(':');
  out.user = credentials.substr(0, colon);
  if (colon != std::string::npos) out.password = credentials.substr(colon + 1);
  auto slash = rest.find('/');
  if (slash == std::string::npos || slash + 1 == rest.size()) return badUrl(url, "no database name");
  out.database = rest.substr(slash + 1);
  std::string hostPort = rest.substr(0, slash);
  auto portColon = hostPort.rfind(':');
  out.host = hostPort.substr(0, portColon);
  if (portColon != std::string::npos) {
    auto text = hostPort.substr(portColon + 1);
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out.port);
    if (ec != std::errc() || end != text.data() + text.size() || out.port <= 0 || out.port > 65535) {
      return badUrl(url, "bad port '" + text + "'");
    }
  }
  if (out.user.empty() || out.host.empty()) return badUrl(url, "user and host are required");
  return out;
}

}  // namespace strato::kernel
