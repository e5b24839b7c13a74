// Tables and inventories of L3 networks, IP ranges, used IPs and network services.
#pragma once

#include <strato/sdk.h>

namespace strato::l3 {

void addSchema(Registrar& r);

}  // namespace strato::l3
