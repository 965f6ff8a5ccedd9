#!/usr/bin/env bash
# The main job: installs the packages it needs, builds what it runs (no
# tests), lists plugins and devices, runs the conformance suite with
# measurements on every device found, and says where the report is.
#
# Each run's report is kept in its own folder, <report dir>/<UTC time>/,
# with <report dir>/latest pointing at the newest. Logs of every step are
# in <build>/logs/.
#
# Environment: AHAL_BUILD_DIR (default <repo>/build), AHAL_REPORT_DIR
# (default <build>/report), AHAL_BUILD_TYPE (default RelWithDebInfo, as
# scripts/test.sh, so both share one build), AHAL_CMAKE_ARGS (more
# configure arguments), AHAL_SKIP_SETUP=1 (packages are already there).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${AHAL_BUILD_DIR:-$root/build}
report_root=${AHAL_REPORT_DIR:-$build/report}
logs=$build/logs
jobs=$(nproc)
mkdir -p "$logs"
started=$(date +%s)

clock() {
  local s=$(($(date +%s) - started))
  printf '%d:%02d' $((s / 60)) $((s % 60))
}
phase() { echo "[$(clock)] $*"; }
# run_logged LOG CMD...: CMD's output to LOG; on failure the end of LOG.
run_logged() {
  local log=$1
  shift
  if ! "$@" >"$log" 2>&1; then
    echo "FAILED: $*; the end of $log:" >&2
    tail -30 "$log" >&2
    exit 1
  fi
}

# What to expect. The first build was measured on a fresh clone without
# ccache: 250 CPU-seconds of compiling and linking (about 2.5 minutes on 2
# idle cores; 12.5 minutes while other builds kept those 2 cores busy),
# see docs/performance.md. The suite with measurements took 3.5 minutes for
# three CPU-run devices.
if [ -x "$build/bin/ahal-conform" ]; then
  build_note="the build folder exists: rebuilding what changed, usually under a minute"
else
  build_note="first build: about 4 CPU-minutes, $(((250 / jobs + 30 + 59) / 60)) minutes on $jobs idle cores"
fi
echo "ahal main job: packages, build ($build_note),"
echo "then the conformance suite, 1 to 2 minutes per device. Logs: $logs"

phase "1/5 packages (scripts/setup.sh run)"
if [ "${AHAL_SKIP_SETUP:-0}" = 1 ]; then
  echo "      skipped (AHAL_SKIP_SETUP=1)"
else
  bash "$root/scripts/setup.sh" run --log "$logs/setup.log" | sed 's/^/      /'
fi

phase "2/5 configure (log: $logs/configure.log)"
# No tests: their packages (Catch2, Chromium) are not installed for the main job.
run_logged "$logs/configure.log" cmake -S "$root" -B "$build" \
  -DCMAKE_BUILD_TYPE="${AHAL_BUILD_TYPE:-RelWithDebInfo}" -DAHAL_BUILD_TESTS=OFF \
  ${AHAL_CMAKE_ARGS:-}

phase "3/5 build: libahal, plugins, kernels bundle, ahal-info, ahal-conform (log: $logs/build.log)"
build_start=$(date +%s)
targets=(ahal_main_job)
# Simulators only when asked for; the loader refuses them otherwise.
[ "${AHAL_ENABLE_SIMULATORS:-0}" = 1 ] && targets+=(ahal_simulators)
run_logged "$logs/build.log" cmake --build "$build" -j"$jobs" --target "${targets[@]}"
echo "      built in $(($(date +%s) - build_start)) s"

stamp=$(date -u +%Y%m%d-%H%M%SZ)
report=$report_root/$stamp
mkdir -p "$report"
phase "4/5 plugins and devices (ahal-info; all of it in $report/ahal-info.txt)"
"$build/bin/ahal-info" >"$report/ahal-info.txt" 2>&1 || true
# The plugin lines (loaded, refused, why) and one line per device.
sed -n '/^plugins/,/^devices/p; /^  \[[0-9]*\]/p' "$report/ahal-info.txt" | sed '/^devices/d; /^$/d; s/^/      /'

phase "5/5 conformance suite and measurements on every device (log: $report/conformance.log)"
status=0
"$build/bin/ahal-conform" --all --characterize --max-size 256M --timeout 120 \
  --json "$report/conformance.json" --junit "$report/conformance.xml" \
  --html "$report/conformance.html" >"$report/conformance.log" 2>&1 || status=$?
# The summary table, the failures and the verdict.
sed -n '/^device  /,$p' "$report/conformance.log" | grep -v " report: " | sed 's/^/      /'
[ -s "$report/conformance.html" ] || tail -20 "$report/conformance.log"
ln -sfn "$stamp" "$report_root/latest"

echo
phase "done"
echo "Report: $report/conformance.html"
echo "        (JSON: conformance.json, JUnit: conformance.xml, beside it; $report_root/latest"
echo "        is the newest; earlier runs stay in their own folders)"
exit $status
