#!/usr/bin/env python3
"""Helpers for Benchmarks/console-overhead.sh (loopback only, every wait bounded).

  hold --target 127.0.0.1:PORT --upstream-port PORT --count N --ready FILE [--timeout S]
      Opens N TCP connections through the proxy, waits until the upstream shows N more
      ESTABLISHED sockets on its port (read from /proc/net/tcp: proof the proxy connected each
      one upstream), writes FILE ("ok N" or "short K"), then holds them idle until SIGTERM/SIGINT.
  busy SECONDS [--exclude PID]
      CPU busy % of the whole box over SECONDS (from /proc/stat), minus what PID itself used in
      that interval: the load of *other* jobs while our own sluice may be drawing its console.
  quiet --max PCT --wait S [--exclude PID]
      Samples `busy 0.5` until it is <= PCT or S seconds have passed; prints the last value.
  cpu PID        utime+stime of PID in seconds (from /proc/PID/stat)
  rss PID        VmRSS of PID in MiB
  gbps FILE      bits_per_second received, from an `iperf3 -J` report, in Gbit/s
  rps FILE       the last "overall: X" rate that redis-benchmark printed (its progress line)
"""
import argparse
import json
import os
import re
import signal
import socket
import sys
import time

HZ = os.sysconf("SC_CLK_TCK")


def proc_ticks(pid):
    """utime+stime of one process in clock ticks (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            s = f.read()
    except OSError:
        return 0
    fields = s[s.rindex(")") + 2:].split()  # after "pid (comm) "; comm may hold spaces
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)


def stat_totals():
    with open("/proc/stat") as f:
        x = [int(v) for v in f.readline().split()[1:]]
    idle = x[3] + x[4]  # idle + iowait
    return sum(x), idle


def busy_pct(seconds, exclude=None):
    t0, i0 = stat_totals()
    p0 = proc_ticks(exclude) if exclude else 0
    time.sleep(seconds)
    t1, i1 = stat_totals()
    p1 = proc_ticks(exclude) if exclude else 0
    total = t1 - t0
    if total <= 0:
        return 0
    busy = (total - (i1 - i0)) - (p1 - p0)
    return max(0, round(100 * busy / total))


def established_on_local_port(port):
    want = f":{port:04X}"
    n = 0
    with open("/proc/net/tcp") as f:
        next(f)
        for line in f:
            fields = line.split(None, 4)
            if fields[3] == "01" and fields[1].endswith(want):
                n += 1
    return n


def hold(args):
    host, port = args.target.rsplit(":", 1)
    if not host.startswith("127."):
        sys.exit("hold: loopback targets only")
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    base = established_on_local_port(args.upstream_port)
    socks = []
    deadline = time.monotonic() + args.timeout
    status = None
    try:
        for _ in range(args.count):
            if stop or time.monotonic() > deadline:
                break
            socks.append(socket.create_connection((host, int(port)), timeout=5))
        while not stop and time.monotonic() < deadline:
            got = established_on_local_port(args.upstream_port) - base
            if len(socks) == args.count and got >= args.count:
                status = f"ok {len(socks)}"
                break
            time.sleep(0.1)
        if status is None:  # /proc/net/tcp may count a socket twice while it changes: only a hint
            status = f"short {min(len(socks), established_on_local_port(args.upstream_port) - base)}"
        tmp = args.ready + ".tmp"
        with open(tmp, "w") as f:
            f.write(status + "\n")
        os.replace(tmp, args.ready)
        while not stop:
            time.sleep(0.2)
    finally:
        for s in socks:
            s.close()


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    h = sub.add_parser("hold")
    h.add_argument("--target", required=True)
    h.add_argument("--upstream-port", type=int, required=True)
    h.add_argument("--count", type=int, default=1000)
    h.add_argument("--ready", required=True)
    h.add_argument("--timeout", type=float, default=30.0)
    b = sub.add_parser("busy")
    b.add_argument("seconds", type=float)
    b.add_argument("--exclude", type=int)
    q = sub.add_parser("quiet")
    q.add_argument("--max", type=int, default=25)
    q.add_argument("--wait", type=float, default=15)
    q.add_argument("--exclude", type=int)
    for name in ("cpu", "rss"):
        sub.add_parser(name).add_argument("pid", type=int)
    for name in ("gbps", "rps"):
        sub.add_parser(name).add_argument("file")
    a = ap.parse_args()

    if a.cmd == "hold":
        hold(a)
    elif a.cmd == "busy":
        print(busy_pct(a.seconds, a.exclude))
    elif a.cmd == "quiet":
        deadline = time.monotonic() + a.wait
        v = busy_pct(0.5, a.exclude)
        while v > a.max and time.monotonic() < deadline:
            time.sleep(1)
            v = busy_pct(0.5, a.exclude)
        print(v)
    elif a.cmd == "cpu":
        print(f"{proc_ticks(a.pid) / HZ:.2f}")
    elif a.cmd == "rss":
        try:
            with open(f"/proc/{a.pid}/status") as f:
                kib = next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
            print(f"{kib / 1024:.1f}")
        except (OSError, StopIteration):
            print("")
    elif a.cmd == "gbps":
        try:
            with open(a.file) as f:
                r = json.load(f)
            print(f"{r['end']['sum_received']['bits_per_second'] / 1e9:.2f}")
        except (OSError, ValueError, KeyError):
            print("")
    elif a.cmd == "rps":
        try:
            with open(a.file, errors="replace") as f:
                found = re.findall(r"\(overall: ([0-9.]+)\) avg_msec", f.read())
            print(f"{float(found[-1]):.0f}" if found else "")
        except OSError:
            print("")


if __name__ == "__main__":
    main()
