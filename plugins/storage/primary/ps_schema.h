// Tables, inventories and global settings of the primary-storage plugin.
#pragma once

#include <strato/sdk.h>

namespace strato::primary {

void addSchema(Registrar& r);

}  // namespace strato::primary
