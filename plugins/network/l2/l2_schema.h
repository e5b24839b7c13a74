// Tables, views and inventories of L2 networks (section 5.1).
#pragma once

#include <strato/sdk.h>

namespace strato::l2 {

void addSchema(Registrar& r);

}  // namespace strato::l2
