#include "rest/route_table.h"

#include <algorithm>
#include <set>

namespace strato::kernel {

std::vector<std::string_view> splitPath(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < path.size()) {
    auto next = path.find('/', i);
    if (next == std::string_view::npos) next = path.size();
    if (next > i) out.push_back(path.substr(i, next - i));
    i = next + 1;
  }
  return out;
}

RouteTable::RouteTable(const std::vector<ApiDeclaration>& implemented,
                       const std::vector<ApiDeclaration>& catalog) {
  // apis_ never grows after this point, so pointers into it stay valid.
  std::set<std::string> names;
  apis_.reserve(implemented.size() + catalog.size());
  for (const auto& api : implemented) {
    apis_.push_back(api);
    names.insert(api.name);
  }
  std::size_t implementedCount = apis_.size();
  for (const auto& api : catalog) {
    if (!names.count(api.name)) apis_.push_back(api);
  }
  for (std::size_t i = 0; i < apis_.size(); ++i) {
    const ApiDeclaration* api = &apis_[i];
    bool isImplemented = i < implementedCount;
    byName_.emplace(api->name, std::make_pair(api, isImplemented));
    add(api, isImplemented, api->method, api->path);
    for (const auto& extra : api->extraPaths) add(api, isImplemented, api->method, extra);
  }
  // Most specific template first; stable, so declaration order breaks ties.
  for (auto& [key, routes] : routes_) {
    std::stable_sort(routes.begin(), routes.end(),
                     [](const Route& a, const Route& b) { return a.literals > b.literals; });
  }
}

void RouteTable::add(const ApiDeclaration* api, bool implemented, HttpMethod method,
                     const std::string& path) {
  Route route{api, implemented, {}, 0};
  for (auto seg : splitPath(path)) {
    route.segments.emplace_back(seg);
    if (seg.front() != '{') ++route.literals;
  }
  routes_[{method, route.segments.size()}].push_back(std::move(route));
}

RouteMatch RouteTable::match(HttpMethod method, std::string_view normalizedPath) const {
  auto segments = splitPath(normalizedPath);
  auto fits = [&](const Route& r) {
    for (std::size_t i = 0; i < segments.size(); ++i) {
      if (r.segments[i].front() != '{' && r.segments[i] != segments[i]) return false;
    }
    return true;
  };
  RouteMatch result;
  auto it = routes_.find({method, segments.size()});
  if (it != routes_.end()) {
    // Sorted most specific first, so the first fit is the best template; every API sharing that
    // template is a candidate (the action key decides between them).
    // Variables count as the same whatever their names: the catalog spells the one on
    // /primary-storage/{uuid}/actions {primaryStorageUuid} for some of the APIs served there.
    auto best = std::find_if(it->second.begin(), it->second.end(), fits);
    if (best != it->second.end()) {
      auto sameShape = [&](const Route& r) {
        for (std::size_t i = 0; i < segments.size(); ++i) {
          bool var = r.segments[i].front() == '{';
          if (var != (best->segments[i].front() == '{') ||
              (!var && r.segments[i] != best->segments[i])) {
            return false;
          }
        }
        return true;
      };
      for (const auto& route : it->second) {
        if (sameShape(route)) result.candidates.push_back(&route);
      }
      result.kind = RouteMatch::Kind::kFound;
      result.segments.assign(segments.begin(), segments.end());
      return result;
    }
  }
  for (auto other : {HttpMethod::kGet, HttpMethod::kPost, HttpMethod::kPut, HttpMethod::kDelete}) {
    if (other == method) continue;
    auto routes = routes_.find({other, segments.size()});
    if (routes == routes_.end()) continue;
    if (std::any_of(routes->second.begin(), routes->second.end(), fits)) {
      result.kind = RouteMatch::Kind::kWrongMethod;
      return result;
    }
  }
  return result;
}

std::map<std::string, std::string> Route::bind(const std::vector<std::string>& path) const {
  std::map<std::string, std::string> variables;
  for (std::size_t i = 0; i < segments.size() && i < path.size(); ++i) {
    if (segments[i].front() == '{')
      variables[segments[i].substr(1, segments[i].size() - 2)] = path[i];
  }
  return variables;
}

const ApiDeclaration* RouteTable::findApi(std::string_view name) const {
  auto it = byName_.find(name);
  return it == byName_.end() ? nullptr : it->second.first;
}

bool RouteTable::implemented(std::string_view name) const {
  auto it = byName_.find(name);
  return it != byName_.end() && it->second.second;
}

}  // namespace strato::kernel
