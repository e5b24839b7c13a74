#include "policy_engine.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "strato/uuid.h"

namespace strato::identity {
namespace {

bool globMatch(std::string_view pattern, std::string_view text) {
  // Iterative '*' matching with backtracking to the last star: linear enough for API names.
  std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

const std::set<std::string, std::less<>>& identityInventories() {
  static const std::set<std::string, std::less<>> kNames{
      "Account",        "User",   "UserGroup", "Policy", "Quota", "AccountResourceRef",
      "SharedResource", "Session"};
  return kNames;
}

bool inCategory(std::string_view category, std::string_view inventory) {
  if (inventory.empty() || category.empty()) return false;
  if (category == "identity") return identityInventories().count(inventory) > 0;
  if (category == "instance") return inventory == "VmInstance";
  std::string expected(inventory);
  expected[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(expected[0])));
  return expected == category;
}

// Statements of the user's policies and of its groups' policies.
Result<std::vector<Json>> statementsOf(Database& db, const std::string& userUuid) {
  auto rows = db.query(
      "SELECT p.statements FROM identity_policy p WHERE p.uuid IN "
      "(SELECT policyUuid FROM user_policy_ref WHERE userUuid = ?) OR p.uuid IN "
      "(SELECT gp.policyUuid FROM user_group_policy_ref gp JOIN user_group_user_ref gu "
      "ON gu.groupUuid = gp.groupUuid WHERE gu.userUuid = ?)",
      {userUuid, userUuid});
  if (!rows) return rows.error();
  std::vector<Json> out;
  for (const auto& row : rows->rows) {
    Json parsed = Json::parse(dbText(row[0]), nullptr, /*allow_exceptions=*/false);
    if (!parsed.is_array()) continue;
    for (auto& s : parsed) out.push_back(std::move(s));
  }
  return out;
}

}  // namespace

std::string normalizeApiName(std::string_view name) {
  if (auto dot = name.rfind('.'); dot != std::string_view::npos) name.remove_prefix(dot + 1);
  if (name.size() > 3 && name.substr(0, 3) == "API" &&
      (std::isupper(static_cast<unsigned char>(name[3])) || name[3] == '*')) {
    name.remove_prefix(3);
  }
  if (name.size() > 3 && name.substr(name.size() - 3) == "Msg") name.remove_suffix(3);
  return std::string(name);
}

bool actionMatches(std::string_view pattern, std::string_view apiName, std::string_view inventory) {
  std::string_view category;
  if (auto colon = pattern.find(':'); colon != std::string_view::npos) {
    category = pattern.substr(0, colon);
    pattern.remove_prefix(colon + 1);
  }
  std::string name = normalizeApiName(pattern);
  if (name == "*") return category.empty() || category == "*" || inCategory(category, inventory);
  return globMatch(name, normalizeApiName(apiName));
}

Result<Json> normalizeStatements(const Json& statements) {
  if (!statements.is_array() || statements.empty()) {
    return makeError(ErrorCode::kInvalidArgument, "statements must be a non-empty list");
  }
  Json out = Json::array();
  for (const auto& s : statements) {
    if (!s.is_object()) {
      return makeError(ErrorCode::kInvalidArgument, "each statement must be an object", s.dump());
    }
    std::string effect = s.value("effect", std::string());
    if (effect != "Allow" && effect != "Deny") {
      return makeError(ErrorCode::kInvalidArgument, "a statement's effect must be Allow or Deny",
                       s.dump());
    }
    auto actions = s.find("actions");
    if (actions == s.end() || !actions->is_array() || actions->empty() ||
        !std::all_of(actions->begin(), actions->end(), [](const Json& a) {
          return a.is_string() && !a.get<std::string>().empty();
        })) {
      return makeError(ErrorCode::kInvalidArgument,
                       "a statement needs 'actions', a non-empty list of API patterns", s.dump());
    }
    std::string name = s.value("name", std::string());
    if (name.empty()) name = "statement-" + newUuid();
    out.push_back(Json{{"name", name}, {"effect", effect}, {"actions", *actions}});
  }
  return out;
}

Result<Decision> decideForUser(Database& db, const std::string& userUuid, std::string_view apiName,
                               std::string_view inventory, bool read) {
  auto statements = statementsOf(db, userUuid);
  if (!statements) return statements.error();
  bool allowed = read;
  for (const auto& s : *statements) {
    bool matches = false;
    for (const auto& action : s.value("actions", Json::array())) {
      if (action.is_string() && actionMatches(action.get<std::string>(), apiName, inventory)) {
        matches = true;
        break;
      }
    }
    if (!matches) continue;
    if (s.value("effect", std::string()) == "Deny") return Decision::kDeny;
    allowed = true;
  }
  return allowed ? Decision::kAllow : Decision::kDeny;
}

std::string identityInventoryOf(std::string_view apiName) {
  std::string name = normalizeApiName(apiName);
  static const std::pair<const char*, const char*> kByWord[] = {
      {"UserGroup", "UserGroup"},  {"Group", "UserGroup"},
      {"Policy", "Policy"},        {"Policies", "Policy"},
      {"Quota", "Quota"},          {"AccountResourceRef", "AccountResourceRef"},
      {"Share", "SharedResource"}, {"ResourceOwner", "AccountResourceRef"},
      {"Session", "Session"},      {"LogIn", "Session"},
      {"LogOut", "Session"},       {"User", "User"},
      {"Account", "Account"},      {"ApiPermission", "Policy"},
      {"Captcha", "Session"},      {"TwoFactor", "Session"},
      {"ResourceNames", "Account"}};
  static const std::set<std::string, std::less<>> kIdentityApis{"CreateAccount",
                                                                "DeleteAccount",
                                                                "QueryAccount",
                                                                "UpdateAccount",
                                                                "LogInByAccount",
                                                                "GetLoginCaptcha",
                                                                "RefreshCaptcha",
                                                                "GetTwoFactorAuthenticationSecret",
                                                                "GetTwoFactorAuthenticationState",
                                                                "GetAccountQuotaUsage",
                                                                "QueryAccountResourceRef",
                                                                "ShareResource",
                                                                "CreateUserGroup",
                                                                "DeleteUserGroup",
                                                                "QueryUserGroup",
                                                                "UpdateUserGroup",
                                                                "AddUserToGroup",
                                                                "AttachPolicyToUserGroup",
                                                                "DetachPolicyFromUserGroup",
                                                                "RemoveUserFromGroup",
                                                                "CreateUser",
                                                                "DeleteUser",
                                                                "QueryUser",
                                                                "UpdateUser",
                                                                "LogInByUser",
                                                                "AttachPolicyToUser",
                                                                "DetachPolicyFromUser",
                                                                "AttachPoliciesToUser",
                                                                "DetachPoliciesFromUser",
                                                                "CreatePolicy",
                                                                "DeletePolicy",
                                                                "QueryPolicy",
                                                                "QueryQuota",
                                                                "UpdateQuota",
                                                                "GetResourceNames",
                                                                "QuerySharedResource",
                                                                "RevokeResourceSharing",
                                                                "ChangeResourceOwner",
                                                                "CheckApiPermission",
                                                                "ValidateSession",
                                                                "RenewSession",
                                                                "LogOut"};
  if (!kIdentityApis.count(name)) {
    // Another plugin's API: guess its resource from the name, verb dropped
    // ("CreateVmInstance" -> "VmInstance"). Only CheckApiPermission needs this guess.
    std::size_t verbEnd = 1;
    while (verbEnd < name.size() && !std::isupper(static_cast<unsigned char>(name[verbEnd])))
      ++verbEnd;
    return verbEnd < name.size() ? name.substr(verbEnd) : std::string();
  }
  for (const auto& [word, inventory] : kByWord) {
    if (name.find(word) != std::string::npos) return inventory;
  }
  return "Account";
}

Status PolicyAuthorizer::authorize(const SessionInfo& session, const ApiDeclaration& api,
                                   const Json& /*params*/) {
  if (session.admin || session.userUuid.empty() || session.userUuid == session.accountUuid) {
    return {};
  }
  if (api.name == "RenewSession" || api.name == "CheckApiPermission") return {};
  std::string inventory = api.inventory.empty() ? identityInventoryOf(api.name) : api.inventory;
  auto decision =
      decideForUser(db_, session.userUuid, api.name, inventory, api.method == HttpMethod::kGet);
  if (!decision) return decision.error();
  if (*decision == Decision::kAllow) return {};
  return makeError(ErrorCode::kPermissionDenied,
                   "user " + session.userUuid + " is not allowed to call " + api.name,
                   "no policy of the user or its groups allows it, or one denies it");
}

}  // namespace strato::identity
