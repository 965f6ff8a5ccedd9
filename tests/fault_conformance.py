#!/usr/bin/env python3
"""The conformance workloads under fault injection (docs/reliability.md).

Runs ahal-conform on one device with AHAL_FAULT_INJECT set and checks that
no test crashed or hung, that at least one fault was injected, and that
every failed test's message carries the injected fault's words (every
failure was reported with a message, none turned into wrong data).

    fault_conformance.py AHAL_CONFORM DEVICE SPEC FILTER OUT.json
"""
import json
import os
import subprocess
import sys


def main():
    conform, device, spec, filt, out = sys.argv[1:6]
    env = dict(os.environ, AHAL_FAULT_INJECT=spec, AHAL_LOG_LEVEL="error")
    cmd = [conform, "--device", device, "--quick", "--skip-missing", "--filter", filt,
           "--json", out]
    print("AHAL_FAULT_INJECT=%s %s" % (spec, " ".join(cmd)), flush=True)
    rc = subprocess.run(cmd, env=env).returncode
    if rc == 77:
        print("skipped: %s is not here" % device)
        return 77
    if rc not in (0, 1):
        print("FAIL: ahal-conform exited with %d" % rc)
        return 1
    report = json.load(open(out))
    tests = report["devices"][0]["tests"]
    counts = {}
    problems = []
    for t in tests:
        counts[t["result"]] = counts.get(t["result"], 0) + 1
        if t["result"] in ("crash", "timeout"):
            problems.append("%s: %s: %s" % (t["id"], t["result"], t["message"]))
        elif t["result"] == "fail" and "injected fault" not in t["message"]:
            problems.append("%s failed without an injected fault's message: %s"
                            % (t["id"], t["message"]))
    print("results: %s" % ", ".join("%s %d" % kv for kv in sorted(counts.items())))
    if counts.get("fail", 0) == 0:
        problems.append("no test saw a fault: the switch did nothing")
    if counts.get("pass", 0) == 0:
        problems.append("no test passed: faults are not random")
    for p in problems:
        print("FAIL: " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
