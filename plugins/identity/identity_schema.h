// The identity plugin's tables (component "identity").
#pragma once

#include <vector>

#include "strato/database.h"

namespace strato::identity {

std::vector<Migration> identityMigrations();

}  // namespace strato::identity
