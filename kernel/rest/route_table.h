// Maps (method, path) to the APIs served there. Built once after plugins are loaded, from the
// declared APIs and the ZStack catalog (catalog routes no plugin implements are kept, marked
// unimplemented). Read-only afterwards, so lookups need no lock.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "strato/api.h"

namespace strato::kernel {

struct Route {
  const ApiDeclaration* api;  // owned by the table
  bool implemented;
  std::vector<std::string> segments;  // "{name}" marks a variable
  int literals;                       // how specific the template is

  // The template's variables filled from a request path that fits it.
  std::map<std::string, std::string> bind(const std::vector<std::string>& path) const;
};

struct RouteMatch {
  enum class Kind { kFound, kNoPath, kWrongMethod } kind = Kind::kNoPath;
  // Templates of the same shape; several when an action key decides.
  std::vector<const Route*> candidates;
  std::vector<std::string> segments;  // of the request path, for Route::bind
};

class RouteTable {
 public:
  RouteTable(const std::vector<ApiDeclaration>& implemented,
             const std::vector<ApiDeclaration>& catalog);

  RouteMatch match(HttpMethod method, std::string_view normalizedPath) const;
  const ApiDeclaration* findApi(std::string_view name) const;
  bool implemented(std::string_view name) const;

 private:
  void add(const ApiDeclaration* api, bool implemented, HttpMethod method, const std::string& path);

  std::vector<ApiDeclaration> apis_;
  std::map<std::string, std::pair<const ApiDeclaration*, bool>, std::less<>> byName_;
  std::map<std::pair<HttpMethod, std::size_t>, std::vector<Route>> routes_;  // by segment count
};

// Splits "/a//b/" into {"a", "b"}: empty segments collapse, as ZStack clients rely on.
std::vector<std::string_view> splitPath(std::string_view path);

}  // namespace strato::kernel
