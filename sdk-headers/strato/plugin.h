// Declaring a plugin. In exactly one source file of the plugin:
//
//   #include <strato/plugin.h>
//   static strato::Status init(strato::Registrar& r) { ...; return {}; }
//   STRATO_PLUGIN("my-plugin", "1.2.0", init)
//
// This exports the plugin's single entry symbol, `strato_plugin_entry`, a C function returning
// a descriptor whose leading fields (ABI major and minor) have the same layout in every SDK
// version, so the kernel can refuse an incompatible plugin before touching anything else.
// Exceptions thrown by init are caught here, inside the plugin, and returned as errors.
// The build is labelled "dev" unless the plugin links a strong definition of
// `strato_plugin_build_id()`; strato_add_plugin() generates one holding the git commit.
#pragma once

#include <cstdint>
#include <exception>
#include <string>

#include "strato/registrar.h"
#include "strato/result.h"
#include "strato/version.h"

namespace strato {

using PluginInitFn = Status (*)(Registrar&) noexcept;

// Layout is frozen: new fields may only be appended.
struct PluginDescriptor {
  std::uint32_t abiMajor;
  std::uint32_t abiMinor;
  const char* name;
  const char* version;
  const char* buildId;
  PluginInitFn init;
};

inline constexpr const char* kPluginEntrySymbol = "strato_plugin_entry";

template <Status (*Init)(Registrar&)>
Status guardedPluginInit(Registrar& registrar) noexcept {
  try {
    return Init(registrar);
  } catch (const std::exception& e) {
    return makeError(ErrorCode::kInternal, "plugin init threw an exception", e.what());
  } catch (...) {
    return makeError(ErrorCode::kInternal, "plugin init threw a non-standard exception");
  }
}

}  // namespace strato

#define STRATO_PLUGIN(NAME, VERSION, INIT_FN)                                              \
  extern "C" __attribute__((weak, visibility("hidden"))) const char*                       \
  strato_plugin_build_id() noexcept {                                                      \
    return "dev";                                                                          \
  }                                                                                        \
  extern "C" __attribute__((visibility("default"))) const ::strato::PluginDescriptor*     \
  strato_plugin_entry() noexcept {                                                         \
    static const ::strato::PluginDescriptor descriptor{                                    \
        ::strato::kSdkAbiMajor, ::strato::kSdkAbiMinor,           NAME, VERSION,           \
        strato_plugin_build_id(), &::strato::guardedPluginInit<INIT_FN>};                  \
    return &descriptor;                                                                    \
  }
