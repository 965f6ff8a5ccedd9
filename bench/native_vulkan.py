#!/usr/bin/env python3
"""ctest bench.vulkan_json: runs bench/check_bench_json.py on vulkan:0, and
exits 77 (skipped) when this machine has no Vulkan device."""
import subprocess
import sys


def main():
    checker, bench = sys.argv[1], sys.argv[2]
    run = subprocess.run([sys.executable, checker, bench, "vulkan:0"],
                         capture_output=True, text=True)
    if run.returncode != 0 and "ahal_device_find" in run.stderr:
        print("SKIP: no Vulkan device (vulkan:0)")
        sys.exit(77)
    sys.stdout.write(run.stdout)
    sys.stderr.write(run.stderr)
    sys.exit(run.returncode)


if __name__ == "__main__":
    main()
