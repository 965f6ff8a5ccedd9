#!/usr/bin/python3
"""ahal-stream's Triad against a plainly written native STREAM, per device, in one run.

    stream_compare.py --bin BUILD/bin [--devices cpu:0,opencl:0,vulkan:0]
                      [--handwritten FILE.ahalb] [--rounds N] [--size N] [--repeats K]

For each device, each round runs the native STREAM for its API
(native-stream-openmp on cpu, native-stream-opencl on opencl:N,
native-stream-vulkan on vulkan:N), ahal-stream with the standard bundle and,
with --handwritten, ahal-stream with that bundle (AHAL_KERNELS_BUNDLE), in an
order that alternates between rounds so background load hits all alike.
Each run reports its best Triad over its repeats; the table gives, per
program, the best and the median of the rounds and their spread, and the
ratios of the bests (the goals: ahal / native >= 0.95, single source /
hand-written >= 0.97). Figures only: the exit status is 0 unless a program
fails (a skipped device is left out).
"""
import argparse
import os
import re
import statistics
import subprocess
import sys


def triad(output):
    m = re.search(r"^Triad:\s+([0-9.]+)", output, re.M)
    return float(m.group(1)) if m else None


def run(cmd, env=None):
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       env=full_env)
    if p.returncode == 77:
        return None, p.stdout
    if p.returncode != 0:
        sys.exit("stream_compare: %s failed (%d):\n%s" % (" ".join(cmd), p.returncode, p.stdout))
    value = triad(p.stdout)
    if value is None:
        sys.exit("stream_compare: no Triad line from %s:\n%s" % (" ".join(cmd), p.stdout))
    return value, p.stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", required=True, help="folder with ahal-stream and native-stream-*")
    ap.add_argument("--devices", default="cpu:0,opencl:0,vulkan:0")
    ap.add_argument("--bundle", help="standard bundle (default: ahal-stream's own)")
    ap.add_argument("--handwritten", help="bundle of the hand-written kernels to compare")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--size", type=int, help="doubles per array (default 2^25; on vulkan "
                    "2^24 - 256, what lavapipe's 128 MiB maxStorageBufferRange binds)")
    ap.add_argument("--repeats", type=int, default=10)
    a = ap.parse_args()

    rows = []
    for device in a.devices.split(","):
        plugin, _, index = device.partition(":")
        index = index or "0"
        n = a.size or (16776960 if plugin == "vulkan" else 1 << 25)
        size = ["--size", str(n), "--repeats", str(a.repeats)]
        native = {"cpu": ["native-stream-openmp"],
                  "opencl": ["native-stream-opencl", "--device", index],
                  "vulkan": ["native-stream-vulkan", "--device", index]}.get(plugin)
        programs = []
        if native and os.path.exists(os.path.join(a.bin, native[0])):
            programs.append(("native", [os.path.join(a.bin, native[0])] + native[1:] + size, None))
        stream = [os.path.join(a.bin, "ahal-stream"), "--device", device] + size
        programs.append(("ahal", stream, {"AHAL_KERNELS_BUNDLE": a.bundle} if a.bundle else None))
        if a.handwritten:
            programs.append(("hand-written", stream, {"AHAL_KERNELS_BUNDLE": a.handwritten}))
        results = {name: [] for name, _, _ in programs}
        skipped = None
        for r in range(a.rounds):
            order = programs if r % 2 == 0 else list(reversed(programs))
            for name, cmd, env in order:
                value, out = run(cmd, env)
                if value is None:
                    skipped = out.strip().splitlines()[-1] if out.strip() else "skipped"
                    break
                results[name].append(value)
            if skipped:
                break
        if skipped:
            print("%s: skipped (%s)" % (device, skipped))
            continue
        rows.append((device, results))
        print("%s: %s" % (device, ", ".join(
            "%s %s" % (n, " ".join("%.1f" % v for v in vs)) for n, vs in results.items())),
            flush=True)

    print()
    print("| device | ahal-stream Triad GB/s best (median, spread) | native best (median, spread) "
          "| ahal / native | single-source / hand-written |")
    print("|---|---|---|---|---|")

    def fmt(vs):
        return "%.1f (%.1f, %.1f-%.1f)" % (max(vs), statistics.median(vs), min(vs), max(vs))

    for device, res in rows:
        ahal = res["ahal"]
        native = res.get("native")
        hand = res.get("hand-written")
        print("| %s | %s | %s | %s | %s |" % (
            device, fmt(ahal), fmt(native) if native else "-",
            "%.2f" % (max(ahal) / max(native)) if native else "-",
            "%.2f (hand-written %s)" % (max(ahal) / max(hand), fmt(hand)) if hand else "-"))


if __name__ == "__main__":
    main()
