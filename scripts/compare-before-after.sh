#!/usr/bin/env bash
# Conformance results and ahal-bench ratios of two builds, in one run: the
# "behaviour is unchanged" check of a refactoring (issue 12). Each device
# runs the suite on BEFORE then AFTER, and the benchmark alternates between
# the two builds, so load on the machine hits both alike.
#
#   scripts/compare-before-after.sh BEFORE_BUILD AFTER_BUILD OUT_DIR
#
# A build is a configured and built tree (bin/ahal-conform, bin/ahal-bench,
# the plugins and the kernels bundle; for the test-only fake CUDA, HIP and
# Level Zero libraries, also the plugins' test targets). Devices without
# their plugin or library are left out (said so). Writes OUT_DIR/summary.md
# (per device: pass/skip/fail of both, every test whose result differs, the
# bench ratios side by side) and the raw JSON; exits 1 when a result differs.
# Environment: AHAL_COMPARE_DEVICES (default: cpu:0 opencl:0 vulkan:0
# asic_sim:0 hip:0 level_zero:0 cuda:0), AHAL_COMPARE_BENCH_DEVICES
# (default: cpu:0 opencl:0 vulkan:0), AHAL_COMPARE_BENCH_ROUNDS (default 2),
# AHAL_COMPARE_SUMMARY_ONLY=1 (only the summary of what OUT_DIR holds).
set -euo pipefail

if [[ $# -ne 3 ]]; then
  sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
before=$(cd "$1" && pwd)
after=$(cd "$2" && pwd)
out=$3
mkdir -p "$out"
out=$(cd "$out" && pwd)
devices=${AHAL_COMPARE_DEVICES:-"cpu:0 opencl:0 vulkan:0 asic_sim:0 hip:0 level_zero:0 cuda:0"}
bench_devices=${AHAL_COMPARE_BENCH_DEVICES:-"cpu:0 opencl:0 vulkan:0"}
bench_rounds=${AHAL_COMPARE_BENCH_ROUNDS:-2}

# The environment that shows `device` to a build: simulators on, and the
# fake vendor libraries of that build's tests for the GPU plugins.
device_env() {
  local build=$1 device=$2
  case $device in
    asic_sim:*) echo "AHAL_ENABLE_SIMULATORS=1" ;;
    hip:*) echo "AHAL_HIP_RUNTIME_PATH=$build/plugins/hip/tests/fake_runtime/libamdhip64.so.6" ;;
    level_zero:*) echo "AHAL_ZE_LOADER_PATH=$build/plugins/level_zero/tests/fake_loader/libze_loader.so.1" ;;
    cuda:*) echo "AHAL_CUDA_DRIVER_PATH=$build/plugins/cuda/tests/fake_driver/libcuda.so.1" ;;
    *) echo "AHAL_UNUSED=1" ;;
  esac
}

# The fake library a device needs, if any, exists in `build`.
device_available() {
  local build=$1 device=$2 var
  var=$(device_env "$build" "$device")
  case $var in
    AHAL_*_PATH=*) [[ -e ${var#*=} ]] ;;
    *) true ;;
  esac
}

[[ ${AHAL_COMPARE_SUMMARY_ONLY:-0} == 1 ]] && devices="" && bench_devices=""
for device in $devices; do
  name=${device%%:*}
  if ! device_available "$before" "$device" || ! device_available "$after" "$device"; then
    echo "left out $device: its test-only library is not built in both trees" |
      tee -a "$out/left-out.txt"
    continue
  fi
  for side in before after; do
    build=$before
    [[ $side == after ]] && build=$after
    echo "== ahal-conform $device ($side)"
    env "$(device_env "$build" "$device")" "$build/bin/ahal-conform" --device "$device" \
      --profile full --quick --json "$out/conform-$name-$side.json" \
      >"$out/conform-$name-$side.log" 2>&1 || true
    tail -n 2 "$out/conform-$name-$side.log"
  done
done

for device in $bench_devices; do
  name=${device%%:*}
  for round in $(seq 1 "$bench_rounds"); do
    for side in before after; do
      build=$before
      [[ $side == after ]] && build=$after
      echo "== ahal-bench $device ($side, round $round)"
      "$build/bin/ahal-bench" --device "$device" --quick --json \
        >"$out/bench-$name-$side-$round.json" 2>"$out/bench-$name-$side-$round.err" || true
    done
  done
done

/usr/bin/python3 - "$out" "$before" "$after" <<'EOF'
import glob, json, os, sys

out, before, after = sys.argv[1:4]
lines = [f"# Before/after: `{before}` vs `{after}`", ""]
differs = False


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


lines += ["## ahal-conform --profile full --quick", "",
          "| device | before pass/skip/fail | after pass/skip/fail | tests whose result differs |",
          "|---|---|---|---|"]
for path in sorted(glob.glob(os.path.join(out, "conform-*-before.json"))):
    name = os.path.basename(path)[len("conform-"):-len("-before.json")]
    runs = [load(path), load(path.replace("-before.json", "-after.json"))]
    results, counts = [], []
    for run in runs:
        tests = {}
        for dev in (run or {}).get("devices", []):
            for t in dev.get("tests", []):
                tests[t["id"]] = t["result"]
        results.append(tests)
        c = {}
        for r in tests.values():
            c[r] = c.get(r, 0) + 1
        counts.append(f"{c.get('pass', 0)}/{c.get('skip', 0)}/"
                      f"{sum(v for k, v in c.items() if k not in ('pass', 'skip'))}"
                      if tests else "no result")
    changed = sorted(t for t in set(results[0]) | set(results[1])
                     if results[0].get(t) != results[1].get(t))
    differs |= bool(changed) or not results[0] or not results[1]
    shown = ", ".join(f"{t} ({results[0].get(t)} -> {results[1].get(t)})" for t in changed)
    lines.append(f"| {name}:0 | {counts[0]} | {counts[1]} | {shown or 'none'} |")

lines += ["", "## ahal-bench --quick: ratio ahal/native, best of the rounds per side", "",
          "| device | metric | before | after |", "|---|---|---|---|"]
for name in sorted({os.path.basename(p).split("-")[1]
                    for p in glob.glob(os.path.join(out, "bench-*-before-*.json"))}):
    best = {}
    for side in ("before", "after"):
        for path in glob.glob(os.path.join(out, f"bench-{name}-{side}-*.json")):
            run = load(path) or {}
            for metric, m in run.get("metrics", {}).items():
                if m.get("ratio") is None:
                    continue
                # Latencies and times: lower is better; bandwidths: higher.
                lower = metric.endswith("_us") or "_us_" in metric
                key = (metric, side)
                if key not in best or (m["ratio"] < best[key] if lower else m["ratio"] > best[key]):
                    best[key] = m["ratio"]
    for metric in sorted({k[0] for k in best}):
        lines.append(f"| {name}:0 | {metric} | {best.get((metric, 'before'), '-')} | "
                     f"{best.get((metric, 'after'), '-')} |")

left_out = os.path.join(out, "left-out.txt")
if os.path.exists(left_out):
    lines += ["", "Left out:", ""] + ["- " + l.strip() for l in open(left_out)]
lines += ["", "Conformance results " + ("DIFFER" if differs else "are the same") + "."]
with open(os.path.join(out, "summary.md"), "w") as f:
    f.write("\n".join(lines) + "\n")
print("\n".join(lines))
sys.exit(1 if differs else 0)
EOF
