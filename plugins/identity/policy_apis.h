// Policies and who they apply to: CreatePolicy, DeletePolicy, QueryPolicy, AttachPolicyToUser,
// DetachPolicyFromUser, AttachPoliciesToUser, DetachPoliciesFromUser, AttachPolicyToUserGroup,
// DetachPolicyFromUserGroup, and CheckApiPermission (policy_engine.h decides).
#pragma once

#include <memory>

#include "identity_context.h"
#include "strato/registrar.h"

namespace strato::identity {

void registerPolicyApis(Registrar& r, const std::shared_ptr<IdentityContext>& ctx);

}  // namespace strato::identity
