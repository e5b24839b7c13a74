# Sourced by run-server, run-tests and .ci/run: where things are, and how to build.
# shellcheck shell=bash
STRATO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${STRATO_BUILD_DIR:-$STRATO_ROOT/build}
BUILD_TYPE=${STRATO_BUILD_TYPE:-RelWithDebInfo}

# ccache hashes paths relative to the checkout and not the working directory, and the cache lives
# outside the checkout, so a fresh clone somewhere else still hits what an earlier clone built.
export CCACHE_BASEDIR=$STRATO_ROOT
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/strato-ccache}
export CCACHE_MAXSIZE=5G
export CCACHE_NOHASHDIR=1
export CCACHE_SLOPPINESS=time_macros,include_file_mtime,include_file_ctime

# Prints "<hits> <misses>" from ccache's cumulative counters.
_strato_ccache_counts() {
  ccache --print-stats 2>/dev/null | awk '
    $1 == "direct_cache_hit" || $1 == "preprocessed_cache_hit" { h += $2 }
    $1 == "cache_miss" { m += $2 }
    END { print h + 0, m + 0 }'
}

# strato_build [extra Debian packages...]
strato_build() {
  "$STRATO_ROOT/scripts/install-deps" "$@"
  local before=(0 0)
  if command -v ccache > /dev/null; then read -r -a before < <(_strato_ccache_counts); fi
  # Configuring an up-to-date tree takes a second; always doing it keeps this function simple.
  # shellcheck disable=SC2086  # STRATO_CMAKE_ARGS is a list of words by design
  cmake -S "$STRATO_ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="$BUILD_TYPE" ${STRATO_CMAKE_ARGS:-} > /dev/null
  cmake --build "$BUILD_DIR" -j "$(nproc)"
  if command -v ccache > /dev/null; then
    local after
    read -r -a after < <(_strato_ccache_counts)
    # Counters are shared by every build using this cache, so this is exact only when alone.
    echo "ccache: $((after[0] - before[0])) hits, $((after[1] - before[1])) misses this build" \
         "(cache $CCACHE_DIR)"
  fi
}
