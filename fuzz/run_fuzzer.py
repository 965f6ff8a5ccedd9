#!/usr/bin/env python3
"""Runs one libFuzzer target for a fixed time and prints what it did.

    run_fuzzer.py FUZZER SECONDS WORK_CORPUS SEED_CORPUS [extra libFuzzer args]

New inputs go to WORK_CORPUS (in the build tree); SEED_CORPUS (committed)
is only read. Prints one line with executions, executions per second,
coverage (edges, "cov") and features ("ft"), and the corpus size; fails
with the fuzzer's output when it found a crash, a leak or a timeout.
"""
import os
import re
import subprocess
import sys


def main():
    fuzzer, seconds, work, seeds = sys.argv[1:5]
    os.makedirs(work, exist_ok=True)
    cmd = [fuzzer, "-max_total_time=%s" % seconds, "-print_final_stats=1", "-timeout=25",
           "-rss_limit_mb=2048", "-artifact_prefix=%s/" % work, work, seeds] + sys.argv[5:]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       errors="replace")
    out = p.stdout
    name = os.path.basename(fuzzer)
    execs = re.findall(r"stat::number_of_executed_units:\s+(\d+)", out)
    rate = re.findall(r"stat::average_exec_per_sec:\s+(\d+)", out)
    cov = re.findall(r"cov: (\d+) ft: (\d+) corp: (\d+)", out)
    if p.returncode != 0 or not execs or not cov:
        print("\n".join(out.splitlines()[-60:]))
        print("FAIL: %s exited with %d" % (name, p.returncode))
        return 1
    edges, features, corpus = cov[-1]
    print("fuzz %s: %s executions in %s s (%s/s), cov %s edges, ft %s features, corpus %s inputs"
          % (name, execs[-1], seconds, rate[-1] if rate else "?", edges, features, corpus))
    return 0


if __name__ == "__main__":
    sys.exit(main())
