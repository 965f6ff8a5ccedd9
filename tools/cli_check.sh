#!/usr/bin/env bash
# Every ahal tool treats its command line alike: --help prints the usage
# to stdout and exits 0; an unknown argument is named on stderr, exit 2; a
# device that does not exist gives "<tool>: ahal_device_find: no device
# matches ..." (the library's message, which lists the devices), exit 2.
#
# usage: tools/cli_check.sh <folder of the built tools>
set -uo pipefail
bin=${1:?usage: $0 <bin folder>}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export AHAL_LOG_LEVEL=error
failures=0
checked=0

expect() {  # expect TOOL WANT_STATUS PATTERN STREAM ARGS...
  local tool=$1 want=$2 pattern=$3 stream=$4
  shift 4
  "$bin/$tool" "$@" >"$work/stdout" 2>"$work/stderr"
  local rc=$?
  if [[ $rc != "$want" ]] || ! grep -q -- "$pattern" "$work/$stream"; then
    echo "FAIL: $tool $*: exit $rc (want $want), $stream should match: $pattern"
    sed 's/^/      | /' "$work/stdout" "$work/stderr" | head -8
    failures=$((failures + 1))
  else
    echo "ok:   $tool $*"
  fi
}

for tool in ahal-info ahal-conform ahal-stream ahal-bench ahal-bundle; do
  [[ -x $bin/$tool ]] || { echo "note: $tool not built"; continue; }
  checked=$((checked + 1))
  expect "$tool" 0 "usage" stdout --help
  expect "$tool" 2 "^$tool: unknown \(argument\|command\) --no-such-flag" stderr --no-such-flag
done
for tool in ahal-conform ahal-stream ahal-bench; do
  [[ -x $bin/$tool ]] || continue
  expect "$tool" 2 "^$tool: ahal_device_find: no device matches \"nosuch:7\"" stderr \
    --device nosuch:7
done
# With --skip-missing (for test drivers) an absent device is a skip.
for tool in ahal-conform ahal-stream ahal-bench; do
  [[ -x $bin/$tool ]] || continue
  expect "$tool" 77 "no device matches" stderr --device nosuch:7 --skip-missing
done
((checked > 0)) || { echo "no tool found in $bin"; exit 1; }
((failures == 0)) && echo "every tool's command line behaves alike" || exit 1
