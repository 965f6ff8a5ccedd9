#!/usr/bin/env bash
# Configures and builds ahal into ${AHAL_BUILD_DIR:-build}. Extra arguments go
# to cmake's configure step (e.g. -DAHAL_WERROR=ON).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${AHAL_BUILD_DIR:-$root/build}
# ccache, when installed (AHAL_CCACHE=0 turns it off): paths are taken
# relative to the checkout, so a fresh clone reuses another clone's objects.
launcher=()
if [ "${AHAL_CCACHE:-1}" != 0 ] && command -v ccache >/dev/null; then
  export CCACHE_BASEDIR=$root CCACHE_NOHASHDIR=1
  launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=${AHAL_BUILD_TYPE:-RelWithDebInfo} "${launcher[@]}" \
  "$@" >/dev/null
cmake --build "$build" -j"$(nproc)"
