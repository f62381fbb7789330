#!/usr/bin/env python3
"""A bounded soak of one `sluice --headless` (issue 12): for SOAK_SECONDS (default 1800) it mixes short and long
TCP connections (every byte checked), UDP sessions that come and expire, Admin API writes, hand edits of
gateway.yaml and SIGHUP reloads, and prints the gateway's RSS, open fds and CPU seconds every SOAK_REPORT seconds
(default 60). After the warm-up (the first third, at least one report) RSS must stay within SOAK_RSS_SLACK_KIB
(default 16384) of its warm-up level and open fds within SOAK_FD_SLACK (default 128: UDP sessions come and go); any lost or wrong byte, refused write or crash fails.
Exit status 0 when all of that holds. Loopback only; the servers are the harness's own."""

from __future__ import annotations

import os
import random
import signal
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reliability"))

from harness import LOOPBACK, Sluice, echo_server, free_port, kill_everything, to_yaml, write_atomic  # noqa: E402
from probes import open_fds, rss_kib  # noqa: E402


class UdpEcho:
    """Replies to each datagram with the datagram."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((LOOPBACK, 0))
        self.addr = f"{LOOPBACK}:{self.sock.getsockname()[1]}"
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        while True:
            try:
                data, peer = self.sock.recvfrom(65536)
                self.sock.sendto(data, peer)
            except OSError:
                return


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.ok: dict[str, int] = {}
        self.failed: dict[str, int] = {}
        self.last_error: dict[str, str] = {}

    def good(self, kind: str):
        with self.lock:
            self.ok[kind] = self.ok.get(kind, 0) + 1

    def bad(self, kind: str, why: str):
        with self.lock:
            self.failed[kind] = self.failed.get(kind, 0) + 1
            self.last_error[kind] = why


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def gateway(ports: tuple[int, int], tcp_node: str, udp_node: str, weight: int, hand: bool) -> dict:
    routes = [{"id": "tcp", "server_port": ports[0], "upstream_id": "echo"},
              {"id": "udp", "server_port": ports[1],
               "upstream": {"scheme": "udp", "nodes": {udp_node: 1}, "timeout": {"connect": 1, "send": 2, "read": 2}}}]
    doc = {"upstreams": [{"id": "echo", "nodes": {tcp_node: weight}}], "stream_routes": routes}
    if hand:
        doc["upstreams"].append({"id": "hand", "nodes": {tcp_node: 1}})
    return doc


def main() -> int:
    seconds = float(os.environ.get("SOAK_SECONDS", "1800"))
    report = float(os.environ.get("SOAK_REPORT", "60"))
    slack = int(os.environ.get("SOAK_RSS_SLACK_KIB", "16384"))
    fd_slack = int(os.environ.get("SOAK_FD_SLACK", "128"))
    binary = os.environ.get("SLUICE_BIN") or str(Path(__file__).resolve().parents[2] / ".build/debug/sluice")
    tcp_up, udp_up = echo_server(), UdpEcho()
    udp_port, tcp_port = free_port(), free_port()
    ports = (tcp_port, udp_port)
    folder = Path(tempfile.mkdtemp(prefix="sluice-soak-"))
    sl = Sluice(binary, folder, ports=[tcp_port], gateway=gateway(ports, tcp_up.addr, udp_up.addr, 1, False))
    text = sl.config_path.read_text()
    sl.config_path.write_text(text.replace("  admin:\n", f'    udp:\n      - "{LOOPBACK}:{udp_port}"\n  admin:\n', 1))
    sl.start()
    tally = Tally()
    stop = threading.Event()

    def short_tcp():
        while not stop.is_set():
            payload = os.urandom(random.randint(1, 64 * 1024))
            try:
                with socket.create_connection((LOOPBACK, sl.port), timeout=10) as s:
                    s.sendall(payload)
                    s.shutdown(socket.SHUT_WR)
                    got = b""
                    while chunk := s.recv(65536):
                        got += chunk
                (tally.good if got == payload else lambda k: tally.bad(k, f"{len(got)} of {len(payload)}"))("tcp")
            except OSError as e:
                tally.bad("tcp", repr(e))

    def long_tcp():
        while not stop.is_set():
            try:
                with socket.create_connection((LOOPBACK, sl.port), timeout=10) as s:
                    end = time.monotonic() + random.uniform(5, 30)
                    while time.monotonic() < end and not stop.is_set():
                        word = os.urandom(512)
                        s.sendall(word)
                        got = b""
                        while len(got) < len(word):
                            chunk = s.recv(4096)
                            if not chunk:
                                break
                            got += chunk
                        if got != word:
                            tally.bad("long", "echo mismatch")
                            break
                        tally.good("long")
                        time.sleep(0.2)
            except OSError as e:
                tally.bad("long", repr(e))

    def udp_sessions():
        while not stop.is_set():
            c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            c.settimeout(3)
            try:
                for _ in range(random.randint(1, 5)):
                    d = os.urandom(random.randint(1, 1400))
                    c.sendto(d, (LOOPBACK, udp_port))
                    (tally.good if c.recvfrom(65536)[0] == d else lambda k: tally.bad(k, "mismatch"))("udp")
            except OSError as e:
                tally.bad("udp", repr(e))
            finally:
                c.close()
            time.sleep(0.01)

    def admin_writes():
        w = 1
        while not stop.is_set():
            w = w % 9 + 1
            try:
                st, _, body = sl.admin("PUT", "/apisix/admin/upstreams/echo",
                                       {"type": "roundrobin", "nodes": {tcp_up.addr: w}})
                (tally.good if st in (200, 201) else lambda k: tally.bad(k, f"{st} {body}"))("admin")
            except OSError as e:
                tally.bad("admin", repr(e))
            stop.wait(1)

    def hand_edits_and_reloads():
        n = 0
        while not stop.wait(5):
            n += 1
            try:
                if n % 3 == 0:
                    sl.signal(signal.SIGHUP)
                    tally.good("reload")
                else:
                    st, _, current = sl.admin("GET", "/apisix/admin/upstreams/echo")
                    weight = int(list(current["value"]["nodes"].values())[0]) if st == 200 else 1
                    write_atomic(sl.data_path, to_yaml(gateway(ports, tcp_up.addr, udp_up.addr, weight, n % 2 == 0)))
                    tally.good("hand")
            except (OSError, KeyError, TypeError, ValueError) as e:
                tally.bad("hand", repr(e))

    workers = ([short_tcp] * 4 + [long_tcp] * 8 + [udp_sessions] * 2 + [admin_writes, hand_edits_and_reloads])
    threads = [threading.Thread(target=w, daemon=True) for w in workers]
    for t in threads:
        t.start()
    start = time.monotonic()
    warmup_end = start + max(report, seconds / 3)
    baseline: tuple[int, int] | None = None
    worst_rss = worst_fds = 0
    ok = True
    print(f"soak: {seconds:.0f} s, report every {report:.0f} s, pid {sl.pid}, folder {folder}", flush=True)
    print(f"{'t':>6} {'rss KiB':>9} {'fds':>5} {'cpu s':>7}  ok / failed", flush=True)
    while time.monotonic() - start < seconds:
        time.sleep(min(report, max(0.0, seconds - (time.monotonic() - start))))
        if not sl.alive():
            print("soak: the gateway died:\n" + sl.stderr_tail(), flush=True)
            ok = False
            break
        rss, fds, cpu = rss_kib(sl.pid), open_fds(sl.pid), cpu_seconds(sl.pid)
        with tally.lock:
            counts = " ".join(f"{k}={v}" for k, v in sorted(tally.ok.items()))
            fails = " ".join(f"{k}={v}" for k, v in sorted(tally.failed.items())) or "none"
        print(f"{time.monotonic() - start:6.0f} {rss:9d} {fds:5d} {cpu:7.1f}  {counts} / {fails}", flush=True)
        if time.monotonic() >= warmup_end:
            if baseline is None:
                baseline = (rss, fds)
            worst_rss, worst_fds = max(worst_rss, rss - baseline[0]), max(worst_fds, fds - baseline[1])
    stop.set()
    for t in threads:
        t.join(timeout=35)
    alive = sl.alive()
    sl.stop()
    if tally.failed:
        print(f"soak: failures {tally.failed}; last errors {tally.last_error}", flush=True)
        ok = False
    if baseline is None:
        print("soak: too short to have a warm-up baseline", flush=True)
    else:
        print(f"soak: after warm-up RSS grew at most {worst_rss} KiB (allowed {slack}), fds at most {worst_fds} "
              f"(allowed {fd_slack})", flush=True)
        ok = ok and worst_rss <= slack and worst_fds <= fd_slack
    ok = ok and alive
    kill_everything()
    print("soak: " + ("flat and lossless" if ok else "FAILED"), flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
