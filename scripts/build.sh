#!/usr/bin/env bash
# Configures and builds ahal into ${AHAL_BUILD_DIR:-build}. Extra arguments go
# to cmake's configure step (e.g. -DAHAL_WERROR=ON).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${AHAL_BUILD_DIR:-$root/build}
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=${AHAL_BUILD_TYPE:-RelWithDebInfo} "$@" >/dev/null
cmake --build "$build" -j"$(nproc)"
