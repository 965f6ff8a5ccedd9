#!/usr/bin/env python3
"""Runs `ahal-bench --device SEL --quick --json` [--expect-native] and checks that the JSON
parses and holds every metric with a positive ahal figure and its unit (and,
where a native reference ran and measures it, a native figure and ratio)."""
import json
import subprocess
import sys

METRICS = ["launch_latency_us", "enqueue_us_per_launch", "h2d_gbps", "d2h_gbps",
           "d2d_gbps", "triad_gbps", "enqueue_host_us_per_launch",
           "replay_submit_us_per_launch", "replay_us_per_launch"]
# Host-side streaming and replay costs: a native figure only where the
# native side measures them (its recorded form: docs/command-buffers.md).
NATIVE_OPTIONAL = {"enqueue_host_us_per_launch", "replay_submit_us_per_launch",
                   "replay_us_per_launch"}


def main():
    bench, device = sys.argv[1], sys.argv[2]
    expect_native = "--expect-native" in sys.argv[3:]
    run = subprocess.run([bench, "--device", device, "--quick", "--json"],
                         capture_output=True, text=True, timeout=280)
    if run.returncode != 0:
        sys.exit(f"ahal-bench failed ({run.returncode}): {run.stderr}")
    report = json.loads(run.stdout)
    errors = []
    if report.get("device") != device:
        errors.append(f"device is {report.get('device')!r}, not {device!r}")
    if expect_native and report.get("native") is None:
        errors.append("no native reference ran (--expect-native)")
    metrics = report.get("metrics", {})
    for name in METRICS:
        m = metrics.get(name)
        if not isinstance(m, dict):
            errors.append(f"metric {name} missing")
            continue
        if not isinstance(m.get("ahal"), (int, float)) or m["ahal"] <= 0:
            errors.append(f"{name}.ahal is {m.get('ahal')!r}")
        if not isinstance(m.get("unit"), str) or not m["unit"]:
            errors.append(f"{name}.unit is {m.get('unit')!r}")
        if name in NATIVE_OPTIONAL:
            if m.get("native") is not None and report.get("native") is None:
                errors.append(f"{name}.native set although no native backend ran")
            if m.get("native") is not None and not (
                    isinstance(m["native"], (int, float)) and m["native"] > 0):
                errors.append(f"{name}.native is {m.get('native')!r}")
        elif report.get("native") is not None:
            for key in ("native", "ratio"):
                if not isinstance(m.get(key), (int, float)) or m[key] <= 0:
                    errors.append(f"{name}.{key} is {m.get(key)!r}")
        elif m.get("native") is not None:
            errors.append(f"{name}.native set although no native backend ran")
    ratio = report.get("replay_over_enqueue_host")
    if not isinstance(ratio, (int, float)) or ratio <= 0:
        errors.append(f"replay_over_enqueue_host is {ratio!r}")
    if errors:
        sys.exit("bad ahal-bench JSON:\n  " + "\n  ".join(errors) + "\n" + run.stdout)
    print(run.stdout.strip())


if __name__ == "__main__":
    main()
