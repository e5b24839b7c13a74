# A vendor preset is a CMake cache file: cmake -C packaging/presets/minimal.cmake -S . -B build
# It chooses what a custom build contains. This one: the node without tests and benchmarks.
# As plugins land, each gets an option STRATO_PLUGIN_<NAME> that presets switch on or off.
set(STRATO_BUILD_TESTS OFF CACHE BOOL "")
set(STRATO_BUILD_BENCH OFF CACHE BOOL "")
