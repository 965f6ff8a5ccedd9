#!/usr/bin/env bash
# The main job: installs what is missing, builds, lists plugins and devices,
# runs the conformance suite on every device found and says where the report is.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${AHAL_BUILD_DIR:-$root/build}
bash "$root/scripts/setup.sh"
AHAL_BUILD_DIR=$build bash "$root/scripts/build.sh"
"$build/bin/ahal-info"
report=${AHAL_REPORT_DIR:-$build/report}
mkdir -p "$report"
status=0
"$build/bin/ahal-conform" --all --characterize --max-size 256M \
  --json "$report/conformance.json" --junit "$report/conformance.xml" \
  --html "$report/conformance.html" || status=$?
echo
echo "Report: $report/conformance.html (JSON: $report/conformance.json, JUnit: $report/conformance.xml)"
exit $status
