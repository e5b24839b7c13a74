// The kernel's own tables (component "kernel"), applied before any plugin's migrations.
#pragma once

#include <vector>

#include "strato/database.h"

namespace strato::kernel {

std::vector<Migration> kernelMigrations();

}  // namespace strato::kernel
