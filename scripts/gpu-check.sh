#!/usr/bin/env bash
# Checks ahal on a CUDA GPU with a build folder made on another machine
# (docs/gpu/README.md). Needs only bash, coreutils and the NVIDIA driver.
#
#   scripts/gpu-check.sh [OUT] [STEP...]
#   scripts/gpu-check.sh --pack DIR   (on the build machine: copy what the
#                                      check runs, debug info stripped, to DIR)
#
# OUT: the folder for every output (default $OUT, else ./gpu-check-out).
# STEPS: any of env info samples bench conform (default: all, in that order). Steps can be
# run in several calls into the same OUT; the summary covers every step
# recorded there.
#
# Environment:
#   AHAL_BUILD_DIR          the build folder (default <repo>/build)
#   AHAL_GPU_DEVICE         the device selector (default cuda:0)
#   AHAL_GPU_CHECK_QUICK=1  conformance and bench with --quick
#   AHAL_GPU_CHECK_PROFILE  conformance profile, core or full (default core)
#   AHAL_GPU_CHECK_MAX_SIZE largest transfer characterized (default 1G)
#   AHAL_GPU_CHECK_LARGE_COPIES=1  also run the bench with 1 GiB native copies
#   AHAL_GPU_CHECK_TIMEOUT  seconds per step before it is killed (default 480)
#   AHAL_GPU_CHECK_BUDGET   seconds for this whole call (default: none); each
#                           step gets at most what is left, and a step with
#                           under 20 s left is skipped, so a device session's
#                           time limit never cuts the summary off
#   AHAL_GPU_CHECK_STREAM_SIZE  doubles per ahal-stream array (default 2^27:
#                           3 GiB in all, so launch latency is noise even on HBM)
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${AHAL_BUILD_DIR:-$root/build}

# The programs, libahal, the plugins and the kernels bundle: all a GPU
# machine needs (a few MB instead of the whole build folder).
if [ "${1:-}" = --pack ]; then
  dest=${2:?usage: gpu-check.sh --pack DIR}
  mkdir -p "$dest/bin" "$dest/lib" "$dest/share" || exit 1
  for program in ahal-info ahal-bench ahal-conform vector_add saxpy ahal-stream; do
    [ -x "$build/bin/$program" ] && cp "$build/bin/$program" "$dest/bin/"
  done
  cp -P "$build"/lib/*.so* "$dest/lib/" && cp -R "$build/share/." "$dest/share/" || exit 1
  if command -v strip >/dev/null; then
    for f in "$dest"/bin/* "$dest"/lib/*.so*; do
      [ -L "$f" ] || strip --strip-debug "$f"
    done
  fi
  echo "packed $(du -sh "$dest" | cut -f1) into $dest; on the GPU machine:"
  echo "  AHAL_BUILD_DIR=$dest scripts/gpu-check.sh OUT"
  exit 0
fi
out=${1:-${OUT:-$PWD/gpu-check-out}}
[ $# -gt 0 ] && shift
steps=("$@")
# Cheapest first: a budget that runs out costs the longest step only.
[ ${#steps[@]} -eq 0 ] && steps=(env info samples bench conform)
device=${AHAL_GPU_DEVICE:-cuda:0}
limit=${AHAL_GPU_CHECK_TIMEOUT:-480}
budget=${AHAL_GPU_CHECK_BUDGET:-0}
started=$(date +%s)
quick=()
[ "${AHAL_GPU_CHECK_QUICK:-0}" = 1 ] && quick=(--quick)

if [ ! -x "$build/bin/ahal-info" ]; then
  echo "gpu-check: no $build/bin/ahal-info; set AHAL_BUILD_DIR to the copied build folder" >&2
  exit 2
fi
mkdir -p "$out/steps"
out=$(cd "$out" && pwd)
bin=$build/bin
# The binaries carry the build machine's RUNPATH; this finds libahal here.
export LD_LIBRARY_PATH="$build/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export AHAL_KERNELS_BUNDLE="$build/share/ahal/kernels/ahal_kernels.ahalb"

# run NAME OUTFILE CMD...: runs CMD with stdout to OUT/OUTFILE, stderr to
# OUT/NAME.stderr, and records its exit status and seconds in OUT/steps.
run() {
  local name=$1 file=$2
  shift 2
  local start end rc step_limit=$limit
  if [ "$budget" -gt 0 ]; then
    local left=$((budget - ($(date +%s) - started)))
    if [ "$left" -lt 20 ]; then
      echo "== $name: not run (out of time)"
      printf 'budget 0 out-of-time(AHAL_GPU_CHECK_BUDGET=%s)\n' "$budget" >"$out/steps/$name"
      return 0
    fi
    # Leave 10 s for the kill and the summary.
    [ $((left - 10)) -lt "$step_limit" ] && step_limit=$((left - 10))
  fi
  echo "== $name: $*"
  start=$(date +%s.%N)
  timeout --kill-after=5 "$step_limit" "$@" >"$out/$file" 2>"$out/$name.stderr"
  rc=$?
  end=$(date +%s.%N)
  printf '%s %s %s\n' "$rc" "$(awk "BEGIN { printf \"%.1f\", $end - $start }")" "$file" \
    >"$out/steps/$name"
  [ -s "$out/$name.stderr" ] || rm -f "$out/$name.stderr"
  return $rc
}

skip() {
  echo "== $1: skipped ($2)"
  printf 'skip 0 %s\n' "$2" >"$out/steps/$1"
}

for step in "${steps[@]}"; do
  case $step in
    env)
      {
        echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
        echo "host: $(uname -a)"
        echo "build: $build"
        [ -r /proc/driver/nvidia/version ] && cat /proc/driver/nvidia/version
        command -v nvidia-smi >/dev/null && nvidia-smi
        echo "--- libraries the binaries need (a 'not found' line is a problem)"
        for f in "$bin"/ahal-info "$bin"/ahal-bench "$bin"/ahal-conform "$bin"/vector_add \
          "$build"/lib/libahal_plugin_cuda.so; do
          [ -e "$f" ] && { echo "$f:"; ldd "$f"; }
        done
      } >"$out/env.txt" 2>&1
      printf '0 0.0 env.txt\n' >"$out/steps/env"
      ;;
    info)
      run info info.txt "$bin/ahal-info"
      run info-json info.json "$bin/ahal-info" --json
      ;;
    samples)
      for sample in vector_add saxpy; do
        if [ -x "$bin/$sample" ]; then
          run "$sample" "$sample.txt" "$bin/$sample" --device "$device"
        else
          skip "$sample" "not built"
        fi
      done
      if [ -x "$bin/ahal-stream" ]; then
        # A device too small for the large arrays gets ahal-stream's own size.
        # --skip-missing: an absent device is ABSENT (77) in the summary.
        run stream stream.json "$bin/ahal-stream" --device "$device" --json --skip-missing \
          --size "${AHAL_GPU_CHECK_STREAM_SIZE:-134217728}" ||
          { grep -q "does not fit" "$out/stream.stderr" 2>/dev/null &&
            run stream stream.json "$bin/ahal-stream" --device "$device" --json --skip-missing; }
      else
        skip stream "not built"
      fi
      ;;
    conform)
      if [ -x "$bin/ahal-conform" ]; then
        run conform conformance.txt "$bin/ahal-conform" --device "$device" --characterize \
          --profile "${AHAL_GPU_CHECK_PROFILE:-core}" --max-size "${AHAL_GPU_CHECK_MAX_SIZE:-1G}" \
          ${quick[@]+"${quick[@]}"} --json "$out/conformance.json" --html "$out/conformance.html" \
          --junit "$out/conformance.xml"
      else
        skip conform "ahal-conform not built"
      fi
      ;;
    bench)
      if [ -x "$bin/ahal-bench" ]; then
        run bench bench.json "$bin/ahal-bench" --device "$device" --json --skip-missing \
          ${quick[@]+"${quick[@]}"}
        run bench-table bench.txt "$bin/ahal-bench" --device "$device" --skip-missing \
          ${quick[@]+"${quick[@]}"}
        if [ "${AHAL_GPU_CHECK_LARGE_COPIES:-0}" = 1 ]; then
          run bench-1g bench-1g.json "$bin/ahal-bench" \
            --device "$device" --copy-bytes 1G --json ${quick[@]+"${quick[@]}"}
        fi
      else
        skip bench "ahal-bench not built"
      fi
      ;;
    *)
      echo "gpu-check: unknown step '$step' (env info samples conform bench)" >&2
      exit 2
      ;;
  esac
done

# Summary of every step recorded in OUT, also kept as OUT/summary.txt.
failed=0
for record in "$out"/steps/*; do
  read -r rc _ <"$record"
  case $rc in 0 | skip) ;; *) failed=1 ;; esac
done
{
  echo "ahal gpu-check on $device: $out"
  if ! grep -m1 -E "^  \[[0-9]+\] $device " "$out/info.txt" 2>/dev/null; then
    echo "  $device is not listed by ahal-info; its plugin says:"
    grep -A3 -E "^  ${device%%:*} " "$out/info.txt" 2>/dev/null | sed -n 's/^ *note: /    /p'
  fi
  printf '%-12s %-8s %8s  %s\n' step result seconds output
  for record in "$out"/steps/*; do
    [ -e "$record" ] || continue
    read -r rc seconds file <"$record"
    name=$(basename "$record")
    case $rc in
      0) result=ok ;;
      skip) result=skipped ;;
      budget) result=NO-TIME ;;
      124 | 137) result=TIMEOUT ;;
      77) result=ABSENT ;;
      *) result="FAIL($rc)" ;;
    esac
    printf '%-12s %-8s %8s  %s\n' "$name" "$result" "$seconds" "$file"
    if [ "$result" != ok ] && [ "$result" != skipped ] && [ -s "$out/$name.stderr" ]; then
      head -3 "$out/$name.stderr" | sed 's/^/    | /'
    fi
  done
  if [ -s "$out/conformance.txt" ]; then
    echo "conformance: $(grep -E '^verdict:' "$out/conformance.txt" | tail -1)"
    grep -E "^  $device (fail|crash|timeout) " "$out/conformance.txt" | head -20
  fi
  [ -s "$out/bench.txt" ] && { echo "bench:"; sed 's/^/  /' "$out/bench.txt"; }
} >"$out/summary.txt"
cat "$out/summary.txt"
exit $failed
