// Tables and inventories of images.
#pragma once

#include <strato/sdk.h>

namespace strato::image {

void addSchema(Registrar& r);

}  // namespace strato::image
