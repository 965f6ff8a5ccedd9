#!/usr/bin/env python3
"""Runs a program with AHAL_TRACE set and checks the Chrome trace it wrote.

  trace_check.py [--streams N] [--api NAME]... [--device NAME]... -- PROGRAM ARGS...

Checks: the file is JSON with "traceEvents"; every API call is a complete
("X") event on a host thread track of the process; each NAME given with
--api appears; device commands sit on exactly N stream tracks (pid of a
"device ..." process, tid named "stream ..."), never overlap on a track,
and include each --device NAME; every flow arrow has both ends. Exit 77
(the program skipped) passes through as a skip.
"""
import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--streams", type=int, required=True)
    parser.add_argument("--api", action="append", default=[])
    parser.add_argument("--device", action="append", default=[])
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "trace.json")
        env = dict(os.environ, AHAL_TRACE=path)
        run = subprocess.run(command, env=env)
        if run.returncode == 77:
            print("SKIP: the program skipped")
            sys.exit(77)
        if run.returncode != 0:
            fail("%s exited with %d" % (command[0], run.returncode))
        with open(path) as f:
            trace = json.load(f)

    events = trace.get("traceEvents")
    if not isinstance(events, list) or not events:
        fail("no traceEvents")
    processes = {e["pid"]: e["args"]["name"] for e in events
                 if e["ph"] == "M" and e["name"] == "process_name"}
    threads = {(e["pid"], e["tid"]): e["args"]["name"] for e in events
               if e["ph"] == "M" and e["name"] == "thread_name"}

    api = [e for e in events if e.get("cat") == "api"]
    if not api:
        fail("no API call events")
    for e in api:
        if e["ph"] != "X" or not e["name"].startswith("ahal_") or e["dur"] < 0:
            fail("bad API event %r" % e)
        if "status" not in e["args"]:
            fail("API event without a status: %r" % e)
        if (e["pid"], e["tid"]) not in threads:
            fail("API event on an unnamed thread track: %r" % e)
        if processes.get(e["pid"], "").startswith("device "):
            fail("API event on a device track: %r" % e)
    api_names = {e["name"] for e in api}
    for name in args.api:
        if name not in api_names:
            fail("no %s call in the trace (calls: %s)" % (name, sorted(api_names)))

    device = [e for e in events if e.get("cat") == "device"]
    tracks = collections.defaultdict(list)
    for e in device:
        if e["ph"] != "X" or e["dur"] < 0:
            fail("bad device event %r" % e)
        tracks[(e["pid"], e["tid"])].append(e)
    if len(tracks) != args.streams:
        fail("device commands on %d tracks, expected one per stream: %d" %
             (len(tracks), args.streams))
    for (pid, tid), commands in tracks.items():
        if not processes.get(pid, "").startswith("device "):
            fail("device track pid %d is not a \"device ...\" process" % pid)
        if not threads.get((pid, tid), "").startswith("stream "):
            fail("device track %d/%d is not named \"stream ...\"" % (pid, tid))
        commands.sort(key=lambda e: e["ts"])
        for a, b in zip(commands, commands[1:]):
            if a["ts"] + a["dur"] > b["ts"] + 0.001:
                fail("commands overlap on stream track %d/%d: %r, %r" % (pid, tid, a, b))
    device_names = {e["name"] for e in device}
    for name in args.device:
        if name not in device_names:
            fail("no device command %r (commands: %s)" % (name, sorted(device_names)))

    starts = {e["id"] for e in events if e["ph"] == "s"}
    ends = {e["id"] for e in events if e["ph"] == "f"}
    if ends - starts:
        fail("flow arrows without a start: %s" % sorted(ends - starts))
    print("PASS: %d API calls, %d device commands on %d stream track(s)" %
          (len(api), len(device), len(tracks)))


if __name__ == "__main__":
    main()
