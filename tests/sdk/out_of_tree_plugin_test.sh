#!/usr/bin/env bash
# Installs the SDK to a temporary prefix, builds examples/hello-plugin against it (and nothing
# from the source tree), and checks that strato-server loads it and its start hook ran.
set -euo pipefail
build_dir=$1 example_dir=$2 server=$3

work=$(mktemp -d)
pid=
cleanup() {
  if [[ -n $pid ]]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

cmake --install "$build_dir" --prefix "$work/prefix" --component sdk > /dev/null
launcher=()
if command -v ccache > /dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
cmake -S "$example_dir" -B "$work/build" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" "${launcher[@]}" > /dev/null
cmake --build "$work/build" > /dev/null

if grep -q "sdk-headers" "$work/build/compile_commands.json"; then
  echo "FAIL: the example was compiled against the source tree, not the installed SDK"; exit 1
fi
grep -q -- "-I$work/prefix/include\|-isystem $work/prefix/include" "$work/build/compile_commands.json" || {
  echo "FAIL: the example did not use the installed SDK headers"; cat "$work/build/compile_commands.json"; exit 1; }

plugin=$work/build/lib/strato/plugins/libstrato_hello.so
"$server" --set http.port=0 --set "http.portFile=$work/port" --set "database.url=sqlite:$work/db" \
  --set plugins.dirs= --set "plugins.files=$plugin" --set plugins.required=hello > "$work/log" 2>&1 &
pid=$!
for _ in $(seq 200); do
  [[ -s $work/port ]] && break
  kill -0 "$pid" 2>/dev/null || { echo "FAIL: server exited"; cat "$work/log"; exit 1; }
  sleep 0.05
done
health=$(curl -sf "http://127.0.0.1:$(cat "$work/port")/health")
echo "$health" | grep -q '"name":"hello"' || { echo "FAIL: hello not loaded: $health"; exit 1; }
# Built without the in-tree commit, the plugin falls back to the SDK's default build id.
echo "$health" | grep -q '"buildId":"dev"' || { echo "FAIL: expected buildId dev: $health"; exit 1; }
grep -q 'hello plugin started greeting="hello, strato"' "$work/log" || {
  echo "FAIL: the plugin's start hook did not run"; cat "$work/log"; exit 1; }
echo "PASS: out-of-tree plugin built against the installed SDK and loaded"
