#!/usr/bin/env bash
# The test command: installs what is missing, builds, runs every test.
# AHAL_WERROR=ON turns warnings into errors (CI does).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${AHAL_BUILD_DIR:-$root/build}
bash "$root/scripts/setup.sh" test
AHAL_BUILD_DIR=$build bash "$root/scripts/build.sh" -DAHAL_BUILD_TESTS=ON \
  -DAHAL_WERROR=${AHAL_WERROR:-OFF} ${AHAL_CMAKE_ARGS:-}
cd "$build"
ctest --output-on-failure -j"$(nproc)" --timeout 600 ${AHAL_CTEST_ARGS:-}
