// Logging: spdlog behind the SDK's Logger interface, one named logger per component
// ("kernel.bus", "plugin.identity"), all writing to the same sink. spdlog stays out of headers.
#pragma once

#include <memory>
#include <string>

#include "strato/logger.h"
#include "strato/result.h"

namespace strato::kernel {

// Sets the sink (file, or standard error when `file` is empty) and level for every logger.
Status configureLogging(const std::string& level, const std::string& file);

// Returns the logger of a component, creating it on first use. Never null; thread-safe.
std::shared_ptr<Logger> componentLogger(const std::string& component);

}  // namespace strato::kernel
