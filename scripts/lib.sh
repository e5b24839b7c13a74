# Shared by run-server, run-tests and run-bench: where things are, and how to build.
# shellcheck shell=bash
STRATO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${STRATO_BUILD_DIR:-$STRATO_ROOT/build}
BUILD_TYPE=${STRATO_BUILD_TYPE:-RelWithDebInfo}

# ccache keyed on paths relative to the checkout, so a fresh clone elsewhere hits the same cache.
export CCACHE_BASEDIR=$STRATO_ROOT
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/strato-ccache}
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-5G}
export CCACHE_NOHASHDIR=1
export CCACHE_SLOPPINESS=${CCACHE_SLOPPINESS:-time_macros,include_file_mtime,include_file_ctime}

strato_build() {
  "$STRATO_ROOT/scripts/install-deps"
  cmake -S "$STRATO_ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="$BUILD_TYPE" > /dev/null
  cmake --build "$BUILD_DIR" -j "$(nproc)"
  if command -v ccache > /dev/null; then ccache -s 2>/dev/null | grep -iE "^ *(hits|misses)|cache hit" || true; fi
}
