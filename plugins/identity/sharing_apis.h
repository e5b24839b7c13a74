// Ownership and sharing of resources (the kernel's tables account_resource_ref and
// shared_resource, see strato/ownership.h): ShareResource, RevokeResourceSharing,
// ChangeResourceOwner, GetResourceNames, QueryAccountResourceRef, QuerySharedResource; and the
// quota APIs QueryQuota, UpdateQuota, GetAccountQuotaUsage.
#pragma once

#include <memory>

#include "identity_context.h"
#include "strato/registrar.h"

namespace strato::identity {

void registerSharingApis(Registrar& r, const std::shared_ptr<IdentityContext>& ctx);
void registerQuotaApis(Registrar& r, const std::shared_ptr<IdentityContext>& ctx);

}  // namespace strato::identity
