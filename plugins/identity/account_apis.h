// Account APIs (CreateAccount, DeleteAccount, UpdateAccount, QueryAccount) and the login-page
// APIs this node does not support (captcha, two-factor authentication).
#pragma once

#include <memory>

#include "identity_context.h"
#include "strato/registrar.h"

namespace strato::identity {

void registerAccountApis(Registrar& r, const std::shared_ptr<IdentityContext>& ctx);

}  // namespace strato::identity
