#!/usr/bin/env bash
# Does with the plugin template what docs/plugin-guide.md tells a vendor to
# do, outside the ahal tree: installs ahal from a build folder into a
# temporary prefix, copies sdk/template and renames it to "mine" (the CMake
# target and api.name, section 1), builds it without a build type (it must
# default to Release) against the install with find_package(ahal), then
# checks that
#   - ahal-info loads the plugin and shows mine:0;
#   - ahal-conform --device mine:0 (section 8) runs to the end and reports
#     the unsupported entries rather than crashing, with clear messages for
#     a device that reports no memory;
#   - cpu:0 still passes with mine:0 loaded beside it (a plugin in early
#     development must not fail the other devices' tests);
#   - no test passed, or was skipped, for having checked nothing.
#
# usage: sdk/template/check.sh <ahal build folder>
set -euo pipefail

if [[ $# -ne 1 || ! -d $1 ]]; then
  echo "usage: $0 <ahal build folder>" >&2
  exit 2
fi
build=$(cd "$1" && pwd)
template=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
unset AHAL_PLUGIN_PATH AHAL_PLUGINS AHAL_KERNELS_BUNDLE LD_LIBRARY_PATH
export AHAL_LOG_LEVEL=error

fail() {
  echo "sdk template check FAILED: $*" >&2
  exit 1
}

echo "== installing ahal from $build"
cmake --install "$build" --prefix "$work/prefix" > "$work/install.log" ||
  { cat "$work/install.log" >&2; fail "cmake --install $build"; }
prefix=$work/prefix

echo "== copying the template and renaming it to mine (docs/plugin-guide.md, section 1)"
cp -r "$template" "$work/mine"
cd "$work/mine"
sed -i 's/ahal_plugin_template/ahal_plugin_mine/g' CMakeLists.txt
sed -i 's/api.name = "template"/api.name = "mine"/' template_plugin.cpp
grep -q 'api.name = "mine"' template_plugin.cpp || fail "the guide's rename of api.name did nothing"

echo "== building it against the installed ahal"
cmake -S . -B build -DCMAKE_PREFIX_PATH="$prefix" > "$work/configure.log" 2>&1 ||
  { cat "$work/configure.log" >&2; fail "configuring the template (find_package(ahal))"; }
grep -q '^CMAKE_BUILD_TYPE:STRING=Release$' build/CMakeCache.txt ||
  fail "without CMAKE_BUILD_TYPE the template does not build Release"
cmake --build build -j2 > "$work/build.log" 2>&1 ||
  { cat "$work/build.log" >&2; fail "building the template"; }
[[ -f build/libahal_plugin_mine.so ]] || fail "no build/libahal_plugin_mine.so after the build"

# Found through AHAL_PLUGIN_PATH as an out-of-tree plugin (section 8).
export AHAL_PLUGIN_PATH=$work/mine/build

echo "== ahal-info"
AHAL_PLUGINS=mine "$prefix/bin/ahal-info" --json > "$work/info.json" 2> "$work/info.err" ||
  { cat "$work/info.err" >&2; fail "ahal-info exited with $?"; }
grep -q '"name": "mine", "state": "loaded"' "$work/info.json" ||
  { cat "$work/info.json" >&2; fail "ahal-info does not list the plugin mine as loaded"; }
grep -q '"selector": "mine:0"' "$work/info.json" ||
  { cat "$work/info.json" >&2; fail "ahal-info shows no device mine:0"; }
echo "plugin mine loaded, device mine:0 listed"

conform=$prefix/bin/ahal-conform
[[ -x $conform ]] || { echo "== ahal-conform is not installed; skipped"; echo "sdk template check passed"; exit 0; }

# checked_nothing REPORT: fails if a test reports the suite's "checked nothing" skip.
checked_nothing() {
  if grep -q "checked nothing on this device" "$1"; then
    grep -B4 "checked nothing on this device" "$1" >&2
    fail "a test in $1 checked nothing and did not say why it skipped"
  fi
}

echo "== ahal-conform --device mine:0"
report=$work/mine.json
set +e
AHAL_PLUGINS=mine "$conform" --device mine:0 --quick --json "$report" > "$work/conform.log" 2>&1
rc=$?
set -e
# Failures are expected (exit 1: the template implements almost nothing);
# a crash of the suite, or of the plugin inside a test, is not.
if ((rc != 0 && rc != 1)); then
  cat "$work/conform.log" >&2
  fail "ahal-conform exited with $rc"
fi
[[ -f $report ]] || { cat "$work/conform.log" >&2; fail "ahal-conform wrote no report"; }
grep -q '"crash": 0,' "$report" && grep -q '"timeout": 0' "$report" ||
  { cat "$work/conform.log" >&2; fail "a conformance test crashed or hung in the template"; }
grep -q "AHAL_ERROR_UNSUPPORTED" "$report" &&
  grep -q "the template plugin does not implement" "$report" ||
  { cat "$work/conform.log" >&2; fail "the report does not name the unsupported entries"; }
# The template reports no memory: the memory tests must say so, not blame a
# size or wrap one around.
for id in memory.alloc_sizes memory.alloc_large copies.large; do
  grep -A6 "\"id\": \"$id\"" "$report" | grep -q "max_allocation_bytes 0" ||
    { grep -A6 "\"id\": \"$id\"" "$report" >&2; fail "$id does not say max_allocation_bytes is 0"; }
done
! grep -q "max_size()" "$report" || fail "a test threw a C++ length error (a size wrapped around)"
checked_nothing "$report"
grep -A1 "^device " "$work/conform.log"
echo "ahal-conform ran to the end (exit $rc) and reported the unsupported entries"

echo "== ahal-conform --device cpu:0 with mine:0 loaded beside it"
report=$work/cpu.json
AHAL_PLUGINS=cpu,mine "$conform" --device cpu:0 --quick --json "$report" > "$work/cpu.log" 2>&1 ||
  { grep -E "^  cpu:0 (fail|crash|timeout)" "$work/cpu.log" >&2; fail "cpu:0 fails beside mine:0"; }
grep -A6 '"id": "errors.cross_device"' "$report" | grep -q "mine:0 cannot" ||
  fail "errors.cross_device does not say why mine:0 cannot serve as the other device"
checked_nothing "$report"
echo "cpu:0 passes beside mine:0; errors.cross_device skips and names mine:0"
echo "sdk template check passed"
