#include "rest/zstack_catalog.h"

#include <algorithm>
#include <map>

#include "strato/json.h"

namespace strato::kernel {
namespace {

constexpr const char kCatalogJson[] =
#include "rest/zstack_catalog_data.inc"
    ;

HttpMethod methodOf(const std::string& m) {
  if (m == "POST") return HttpMethod::kPost;
  if (m == "PUT") return HttpMethod::kPut;
  if (m == "DELETE") return HttpMethod::kDelete;
  return HttpMethod::kGet;
}

ParamType typeOf(const std::string& t) {
  static const std::map<std::string, ParamType> kTypes{
      {"String", ParamType::kString},
      {"Integer", ParamType::kInteger},
      {"Long", ParamType::kLong},
      {"Float", ParamType::kFloat},
      {"Boolean", ParamType::kBoolean},
      {"List", ParamType::kList},
      {"Map", ParamType::kMap},
      // The manual also writes Java's primitive spellings, and one Set.
      {"int", ParamType::kInteger},
      {"long", ParamType::kLong},
      {"boolean", ParamType::kBoolean},
      {"double", ParamType::kFloat},
      {"Double", ParamType::kFloat},
      {"Set", ParamType::kList}};
  auto it = kTypes.find(t);
  return it == kTypes.end() ? ParamType::kString : it->second;
}

std::vector<ApiDeclaration> parseCatalog() {
  std::vector<ApiDeclaration> out;
  for (const auto& e : Json::parse(kCatalogJson)) {
    ApiDeclaration api;
    api.name = e.at("name");
    api.method = methodOf(e.at("method"));
    api.path = e.at("path");
    api.actionKey = e.value("actionKey", "");
    api.extraPaths = e.value("extraPaths", std::vector<std::string>{});
    for (const auto& p : e.at("params")) {
      api.params.push_back({p.at("name"), typeOf(p.at("type")), p.at("required").get<bool>(),
                            p.at("allowed").get<std::vector<std::string>>()});
    }
    api.responseKind = e.value("query", false) ? "inventories" : "";
    out.push_back(std::move(api));
  }
  return out;
}

}  // namespace

const std::vector<ApiDeclaration>& zstackCatalog() {
  static const std::vector<ApiDeclaration> catalog = parseCatalog();
  return catalog;
}

const ApiDeclaration* findCatalogApi(std::string_view name) {
  const auto& catalog = zstackCatalog();
  auto it =
      std::lower_bound(catalog.begin(), catalog.end(), name,
                       [](const ApiDeclaration& a, std::string_view n) { return a.name < n; });
  return it != catalog.end() && it->name == name ? &*it : nullptr;
}

Status completeFromCatalog(ApiDeclaration& api) {
  if (!api.path.empty()) return {};
  const ApiDeclaration* known = findCatalogApi(api.name);
  if (!known) {
    return makeError(ErrorCode::kInvalidArgument,
                     "API '" + api.name + "' has no path and is not a ZStack catalog API");
  }
  api.method = known->method;
  api.path = known->path;
  if (api.actionKey.empty()) api.actionKey = known->actionKey;
  if (api.extraPaths.empty()) api.extraPaths = known->extraPaths;
  if (api.params.empty()) api.params = known->params;
  if (api.responseKind.empty()) api.responseKind = known->responseKind;
  return {};
}

}  // namespace strato::kernel
