#!/usr/bin/env bash
# Uses ahal from outside its source tree, as README.md's "Install and use"
# section says: installs a build folder into a temporary prefix, moves the
# tree elsewhere (it must be relocatable), builds the README's C example
# with find_package(ahal) and with pkg-config and runs both, then starts
# every installed program: --help must exit 0, and each known tool does one
# real run on cpu:0. Nothing may need LD_LIBRARY_PATH.
#
# usage: cmake/install/check_install.sh <ahal build folder> <README.md>
set -euo pipefail

if [[ $# -ne 2 || ! -d $1 || ! -f $2 ]]; then
  echo "usage: $0 <ahal build folder> <README.md>" >&2
  exit 2
fi
build=$(cd "$1" && pwd)
readme=$2
here=$(cd "$(dirname "$0")" && pwd)
for tool in cc pkg-config cmake; do
  command -v $tool >/dev/null || { echo "$tool not installed: skipped"; exit 77; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The installed tree alone: no build-tree or user settings.
unset LD_LIBRARY_PATH AHAL_PLUGIN_PATH AHAL_PLUGINS AHAL_KERNELS_BUNDLE AHAL_VALIDATION AHAL_TRACE
export AHAL_LOG_LEVEL=error

failures=0
check() {  # check DESCRIPTION COMMAND...: runs COMMAND, reports, counts failures
  local what=$1
  shift
  if "$@" >"$work/out" 2>&1; then
    echo "ok:   $what"
  else
    echo "FAIL: $what (exit $?)"
    sed 's/^/      | /' "$work/out" | tail -20
    failures=$((failures + 1))
  fi
}

echo "== cmake --install into a temporary prefix, then moved elsewhere"
cmake --install "$build" --prefix "$work/installed" >"$work/install.log" ||
  { cat "$work/install.log"; exit 1; }
mv "$work/installed" "$work/moved"
prefix=$work/moved
libdir=$(cd "$prefix" && find . -name libahal.so.1 -printf '%h\n' | head -1)
libdir=$prefix/${libdir#./}

echo "== the README's C example"
awk '/^## A short example \(C\)/ { want = 1 }
     want && /^```c$/ { inside = 1; next }
     inside && /^```$/ { exit }
     inside { print }' "$readme" >"$work/example.c"
[[ -s $work/example.c ]] || { echo "FAIL: no C example in $readme"; exit 1; }
expect_example() {  # runs the example binary: exit 0 and the refused copy's message
  "$1" >"$work/example.out" 2>&1 || { cat "$work/example.out"; return 1; }
  grep -q "exceeds" "$work/example.out" || { cat "$work/example.out"; return 1; }
}

export PKG_CONFIG_PATH=$libdir/pkgconfig
check "pkg-config --cflags points into the moved tree" \
  bash -c "pkg-config --cflags ahal | grep -- '-I$prefix/' >/dev/null"
check "pkg-config: cc example.c \$(pkg-config --cflags --libs ahal)" \
  bash -c "cc -std=c99 -o '$work/example_pkgconfig' '$work/example.c' \
    \$(pkg-config --cflags --libs ahal) -Wl,-rpath,\$(pkg-config --variable=libdir ahal)"
check "the pkg-config build runs on cpu:0" expect_example "$work/example_pkgconfig"

check "find_package(ahal): configure the consumer project" \
  cmake -S "$here/consumer" -B "$work/consumer" -DCMAKE_PREFIX_PATH="$prefix" \
  -DEXAMPLE_SOURCE="$work/example.c" -DCMAKE_BUILD_TYPE=Release
check "find_package(ahal): build" cmake --build "$work/consumer"
check "the find_package build runs on cpu:0" expect_example "$work/consumer/readme_example"

echo "== every installed program starts from the moved tree"
# One real run per known tool, on cpu:0, kept short.
real_run() {
  case $1 in
    ahal-info) "$2" --json | grep '"selector": "cpu:0"' >/dev/null ;;
    ahal-conform) "$2" --device cpu:0 --quick --filter 'properties.*,copies.round_trip' ;;
    ahal-stream) "$2" --device cpu:0 --size 100000 --repeats 2 ;;
    ahal-bench) "$2" --device cpu:0 --quick --rounds 1 --copy-bytes 1M ;;
    ahal-bundle) "$2" list "$prefix/share/ahal/kernels/ahal_kernels.ahalb" | grep "cpu-so" >/dev/null ;;
    *) return 3 ;;
  esac
}
count=0
for program in "$prefix"/bin/*; do
  name=$(basename "$program")
  count=$((count + 1))
  check "$name: no library missing" bash -c "! ldd '$program' | grep -q 'not found'"
  check "$name --help exits 0 and prints its usage" \
    bash -c "'$program' --help | grep -i usage >/dev/null"
  set +e
  real_run "$name" "$program" >"$work/run.out" 2>&1
  rc=$?
  set -e
  if [[ $rc == 3 ]]; then
    echo "note: $name has no real run here yet (add one to real_run in $0)"
  elif [[ $rc == 0 ]]; then
    echo "ok:   $name runs on cpu:0"
  else
    echo "FAIL: $name on cpu:0 (exit $rc)"
    tail -20 "$work/run.out" | sed 's/^/      | /'
    failures=$((failures + 1))
  fi
done
((count > 0)) || { echo "FAIL: nothing installed in $prefix/bin"; exit 1; }
pydir=$(find "$prefix" -path '*/dist-packages/ahal/__init__.py' -printf '%h\n' | head -1)
if [[ -n $pydir ]]; then  # the Python module (AHAL_BUILD_PYTHON), through its $ORIGIN run path
  check "python3 -m ahal info finds cpu:0" bash -c \
    "cd / && PYTHONPATH='${pydir%/ahal}' /usr/bin/python3 -m ahal info | grep -q 'cpu:0'"
fi
if ((failures)); then
  echo "install check FAILED ($failures)"
  exit 1
fi
echo "install check passed ($count programs)"
