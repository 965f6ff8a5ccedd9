#!/usr/bin/env python3
"""Runs `ahal-bench --device SEL --quick --json` and checks that the JSON
parses and holds every metric with a positive ahal figure (and, where a
native reference ran, a native figure and ratio)."""
import json
import subprocess
import sys

METRICS = ["launch_latency_us", "enqueue_us_per_launch", "h2d_gbps", "d2h_gbps",
           "d2d_gbps", "triad_gbps"]


def main():
    bench, device = sys.argv[1], sys.argv[2]
    run = subprocess.run([bench, "--device", device, "--quick", "--json"],
                         capture_output=True, text=True, timeout=280)
    if run.returncode != 0:
        sys.exit(f"ahal-bench failed ({run.returncode}): {run.stderr}")
    report = json.loads(run.stdout)
    errors = []
    if report.get("device") != device:
        errors.append(f"device is {report.get('device')!r}, not {device!r}")
    metrics = report.get("metrics", {})
    for name in METRICS:
        m = metrics.get(name)
        if not isinstance(m, dict):
            errors.append(f"metric {name} missing")
            continue
        if not isinstance(m.get("ahal"), (int, float)) or m["ahal"] <= 0:
            errors.append(f"{name}.ahal is {m.get('ahal')!r}")
        if report.get("native") is not None:
            for key in ("native", "ratio"):
                if not isinstance(m.get(key), (int, float)) or m[key] <= 0:
                    errors.append(f"{name}.{key} is {m.get(key)!r}")
        elif m.get("native") is not None:
            errors.append(f"{name}.native set although no native backend ran")
    if errors:
        sys.exit("bad ahal-bench JSON:\n  " + "\n  ".join(errors) + "\n" + run.stdout)
    print(run.stdout.strip())


if __name__ == "__main__":
    main()
