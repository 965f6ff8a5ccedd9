#!/usr/bin/env bash
# Builds the plugin template the way a vendor would, outside the ahal tree:
# installs ahal from a build folder into a temporary prefix, builds
# sdk/template against it with find_package(ahal), then checks that
# ahal-info loads the plugin and shows template:0, and that ahal-conform (when
# installed) runs to the end and reports the template's unsupported entries
# rather than crashing.
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

fail() {
  echo "sdk template check FAILED: $*" >&2
  exit 1
}

echo "== installing ahal from $build"
cmake --install "$build" --prefix "$work/prefix" > "$work/install.log" ||
  { cat "$work/install.log" >&2; fail "cmake --install $build"; }

echo "== building the template against it"
cmake -S "$template" -B "$work/build" -DCMAKE_PREFIX_PATH="$work/prefix" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo > "$work/configure.log" 2>&1 ||
  { cat "$work/configure.log" >&2; fail "configuring the template (find_package(ahal))"; }
cmake --build "$work/build" -j2 > "$work/build.log" 2>&1 ||
  { cat "$work/build.log" >&2; fail "building the template"; }
plugin=$work/build/libahal_plugin_template.so
[[ -f $plugin ]] || fail "no $plugin after the build"

# Only the template, found through AHAL_PLUGIN_PATH as an out-of-tree plugin.
export AHAL_PLUGIN_PATH=$work/build
export AHAL_PLUGINS=template

echo "== ahal-info"
"$work/prefix/bin/ahal-info" --json > "$work/info.json" 2> "$work/info.err" ||
  { cat "$work/info.err" >&2; fail "ahal-info exited with $?"; }
grep -q '"name": "template", "state": "loaded"' "$work/info.json" ||
  { cat "$work/info.json" >&2; fail "ahal-info does not list the template plugin as loaded"; }
grep -q '"selector": "template:0"' "$work/info.json" ||
  { cat "$work/info.json" >&2; fail "ahal-info shows no device template:0"; }
echo "template plugin loaded, device template:0 listed"

conform=$work/prefix/bin/ahal-conform
if [[ -x $conform ]]; then
  echo "== ahal-conform --device template:0"
  report=$work/report.json
  set +e
  "$conform" --device template:0 --quick --json "$report" > "$work/conform.log" 2>&1
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
  grep -A1 "^device " "$work/conform.log"
  echo "ahal-conform ran to the end (exit $rc) and reported the unsupported entries"
else
  echo "== ahal-conform is not installed; skipped"
fi
echo "sdk template check passed"
