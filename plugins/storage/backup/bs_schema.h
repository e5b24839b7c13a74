// Tables, views and inventories of backup storage.
#pragma once

#include <strato/sdk.h>

namespace strato::backup {

void addSchema(Registrar& r);

}  // namespace strato::backup
