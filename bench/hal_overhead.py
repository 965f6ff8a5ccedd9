#!/usr/bin/env python3
"""Instructions ahal adds per API call over the backend it drives.

Runs `ahal-bench --device SEL --quick` under callgrind (instruction counts:
the same on a loaded machine as on a quiet one), then, for each hot entry
point (ahal_stream_launch and the copies), splits its inclusive
cost into what libahal and the plugin execute themselves and what the
backend (driver, ICD, runtime, libc) executes below them. The first part
is ahal's overhead; the second is what a native program pays too.

    bench/hal_overhead.py [--build DIR] [--device SEL]... [--keep FILE]

Needs valgrind. With the CUDA fake driver (plugins/cuda/tests) the backend
part is the fake's, so only the ahal columns mean anything there.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
from collections import defaultdict

ENTRIES = [
    "ahal_stream_launch",
    "ahal_stream_copy_h2d",
    "ahal_stream_copy_d2h",
    "ahal_stream_copy_d2d",
]


def parse(path):
    """Reads a callgrind file: self cost and call edges per (object, function)."""
    names = {"ob": {}, "fn": {}}
    self_cost = defaultdict(int)
    edges = defaultdict(lambda: defaultdict(lambda: [0, 0]))  # caller -> callee -> [calls, incl]
    ob = fn = cob = cfn = None
    pending_calls = None

    def name(kind, text):
        m = re.match(r"\((\d+)\)(?: (.*))?$", text)
        if not m:
            return text
        if m.group(2) is not None:
            names[kind][m.group(1)] = m.group(2)
        return names[kind].get(m.group(1), text)

    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line[0] == "#":
                continue
            c = line[0]
            if c.isdigit() or c in "+-*":
                parts = line.split()
                cost = int(parts[1]) if len(parts) > 1 else 0
                if pending_calls is not None:
                    e = edges[(ob, fn)][(cob or ob, cfn)]
                    e[0] += pending_calls
                    e[1] += cost
                    pending_calls = None
                    cob = None
                else:
                    self_cost[(ob, fn)] += cost
                continue
            key, _, value = line.partition("=")
            if key == "ob":
                ob = name("ob", value)
            elif key == "fn":
                fn = name("fn", value)
                cob = None
            elif key == "cob":
                cob = name("ob", value)
            elif key == "cfn":
                cfn = name("fn", value)
            elif key == "calls":
                pending_calls = int(value.split()[0])
    return self_cost, edges


def kind(obj):
    base = os.path.basename(obj or "")
    if base.startswith("libahal_plugin_"):
        return "plugin"
    if base.startswith("libahal."):
        return "loader"
    return "backend"


def split(self_cost, edges, root):
    """Calls of `root` and its instructions by kind (loader, plugin, backend).
    Walks down through libahal and plugin functions; a call into anything
    else counts whole as backend. A function reached from several callers is
    attributed in proportion to the edge's cost."""
    incl = {}

    def inclusive(fn):
        if fn not in incl:
            incl[fn] = self_cost[fn] + sum(e[1] for e in edges[fn].values())
        return incl[fn]

    totals = defaultdict(float)

    def walk(fn, share, depth):
        totals[kind(fn[0])] += self_cost[fn] * share
        for callee, (_, cost) in edges[fn].items():
            part = cost * share
            if callee == fn or depth > 40 or kind(callee[0]) == "backend":
                totals["backend" if kind(callee[0]) == "backend" else kind(fn[0])] += part
                continue
            total = inclusive(callee)
            walk(callee, part / total if total else 0.0, depth + 1)

    calls = sum(e[root][0] for e in edges.values() if root in e)
    walk(root, 1.0, 0)
    return calls, totals


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(os.path.dirname(__file__), "..", "build"))
    ap.add_argument("--device", action="append", help="device selector (default: cpu:0)")
    ap.add_argument("--keep", help="keep the callgrind file here (one device)")
    o = ap.parse_args()
    bench = os.path.join(o.build, "bin", "ahal-bench")
    if not os.access(bench, os.X_OK):
        sys.exit(f"hal_overhead: no {bench}; build first")
    for device in o.device or ["cpu:0"]:
        if o.keep:
            out = o.keep
        else:
            with tempfile.NamedTemporaryFile(prefix="ahal_cg_", delete=False) as f:
                out = f.name
        cmd = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", bench, "--device",
               device, "--quick", "--rounds", "1", "--copy-bytes", "1M"]
        r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if r.returncode != 0:
            sys.exit(f"hal_overhead: {' '.join(cmd)} failed:\n{r.stderr[-2000:]}")
        self_cost, edges = parse(out)
        if not o.keep:
            os.unlink(out)
        print(f"{device}: instructions per call (callgrind, ahal-bench --quick)")
        print(f"  {'entry':26} {'calls':>7} {'loader':>7} {'plugin':>7} {'backend':>9}")
        for entry in ENTRIES:
            roots = [k for k in self_cost if k[1] == entry and kind(k[0]) == "loader"]
            calls, t = split(self_cost, edges, roots[0]) if roots else (0, {})
            if not calls:
                print(f"  {entry:26} {'-':>7}")
                continue
            print(f"  {entry:26} {calls:7d} {t['loader'] / calls:7.0f} {t['plugin'] / calls:7.0f}"
                  f" {t['backend'] / calls:9.0f}")


if __name__ == "__main__":
    main()
