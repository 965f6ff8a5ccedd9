#!/usr/bin/env python3
"""Runs `mpirun -np N ahal-ccl-perf --device SEL --json ...` and checks the
JSON: one result per operation and size, every one correct, with positive
algbw/busbw and (where MPI has the type) a positive mpi_busbw_gbps.
Exit 77 (skip) without mpirun or when the device is absent.

With CHECK_CCL_MIXED=1, rank 0 stages (AHAL_CCL_STAGED=1) and the others
work on host memory in place: both must cut operations alike.
CHECK_CCL_MPIRUN_ARGS adds mpirun options (space-separated), e.g. a
hostfile and the TCP transport of a run across machines.

usage: check_ccl_perf.py AHAL_CCL_PERF NP DEVICE [ahal-ccl-perf options...]"""
import json
import os
import shutil
import subprocess
import sys


# Below the ctest TIMEOUT (300 s), so that a hang reports where it hangs.
TIMEOUT_S = 240


def descendants(pid):
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out


def backtraces(mpirun_pid):
    """Every thread's stack of each rank of this mpirun (gdb, where present),
    then kills them."""
    gdb = shutil.which("gdb")
    out = []
    for pid in descendants(mpirun_pid):
        try:
            with open(f"/proc/{pid}/comm") as f:
                name = f.read().strip()
        except OSError:
            continue
        if name != "ahal-ccl-perf":
            continue
        out.append(f"--- rank process {pid}")
        if gdb:
            bt = subprocess.run([gdb, "-p", str(pid), "-batch", "-ex", "thread apply all bt 30"],
                                capture_output=True, text=True, timeout=60)
            out += [l for l in bt.stdout.splitlines() if l.startswith(("Thread", "#"))]
        subprocess.run(["kill", "-9", str(pid)])
    return "\n".join(out) if out else "(no rank left running)"


def main():
    perf, np, device = sys.argv[1], sys.argv[2], sys.argv[3]
    extra = sys.argv[4:]
    mpirun = shutil.which("mpirun")
    if not mpirun:
        print("skip: mpirun not found (apt-get install openmpi-bin)")
        sys.exit(77)
    cmd = [mpirun, "--oversubscribe"]
    if os.geteuid() == 0:
        cmd.append("--allow-run-as-root")
    cmd += os.environ.get("CHECK_CCL_MPIRUN_ARGS", "").split()
    app = [perf, "--device", device, "--json", "--skip-missing"] + extra
    if os.environ.get("CHECK_CCL_MIXED") == "1":
        cmd += ["-np", "1", "-x", "AHAL_CCL_STAGED=1"] + app + [":", "-np", str(int(np) - 1)] + app
    else:
        cmd += ["-np", np] + app
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        stdout, stderr = proc.communicate(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        stacks = backtraces(proc.pid)
        proc.kill()
        stdout, stderr = proc.communicate()
        sys.exit(f"{' '.join(cmd)} still running after {TIMEOUT_S} s:\n{stdout}\n{stderr}\n"
                 f"{stacks}")
    run = subprocess.CompletedProcess(cmd, proc.returncode, stdout, stderr)
    if run.returncode == 77 or "returned exit code 77" in run.stderr + run.stdout:
        print(f"skip: no device {device} here")
        sys.exit(77)
    if run.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({run.returncode}):\n{run.stdout}\n{run.stderr}")
    start = run.stdout.find('{"results"')
    if start < 0:
        sys.exit(f"no JSON in the output:\n{run.stdout}\n{run.stderr}")
    results = json.loads(run.stdout[start:])["results"]
    errors = []
    if not results:
        errors.append("no results")
    for r in results:
        where = f"{r.get('op')} {r.get('bytes')} B"
        for key in ("op", "bytes", "algbw_gbps", "busbw_gbps", "mpi_busbw_gbps", "correct"):
            if key not in r:
                errors.append(f"{where}: no {key}")
        if r.get("correct") is not True:
            errors.append(f"{where}: result is wrong")
        if r.get("ranks") != int(np):
            errors.append(f"{where}: ranks {r.get('ranks')}, not {np}")
        if r.get("device") != device:
            errors.append(f"{where}: device {r.get('device')!r}, not {device!r}")
        if not isinstance(r.get("time_us"), (int, float)) or r["time_us"] <= 0:
            errors.append(f"{where}: time_us is {r.get('time_us')!r}")
        # Printed with 6 decimals: 8 B in 60 us reads 0.000000 GB/s.
        for key in ("algbw_gbps", "busbw_gbps"):
            if not isinstance(r.get(key), (int, float)) or r[key] < 0:
                errors.append(f"{where}: {key} is {r.get(key)!r}")
        mpi = r.get("mpi_busbw_gbps")
        if mpi is not None and (not isinstance(mpi, (int, float)) or mpi < 0):
            errors.append(f"{where}: mpi_busbw_gbps is {mpi!r}")
    if errors:
        sys.exit("\n".join(errors) + "\n" + run.stdout)
    big = [r for r in results if r["op"] == "allreduce" and r["bytes"] >= (1 << 20)
           and r.get("mpi_busbw_gbps")]
    for r in big:
        print(f"allreduce {r['bytes']} B on {device}, {np} ranks ({r.get('engine')}): busbw "
              f"{r['busbw_gbps']:.3f} GB/s, MPI {r['mpi_busbw_gbps']:.3f} GB/s, ratio "
              f"{r['busbw_gbps'] / r['mpi_busbw_gbps']:.2f}")
    print(f"{len(results)} results, all correct")


if __name__ == "__main__":
    main()
