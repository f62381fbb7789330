"""limit-bandwidth end to end: a 1 MiB download at 256 KiB/s takes 4 s ± 20% while the upstream tries to push
far more and the gateway's RSS stays flat (backpressure, not buffering); an upload limit likewise, timed at the
upstream; a route-shared limit split between two concurrent connections."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest

from harness import LOOPBACK, TcpServer, connect, recv_exact, route

MIB = 1 << 20
RATE = 256 * 1024


def vm_rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS line")


def pusher(total: int) -> TcpServer:
    """Sends `total` bytes to whoever connects, as fast as the connection takes them."""
    def handler(conn: socket.socket, server: TcpServer) -> None:
        chunk = b"x" * 65536
        sent = 0
        while sent < total:
            conn.sendall(chunk)
            sent += len(chunk)
    return TcpServer(handler, name="pusher")


def gateway(up: TcpServer, limits: dict) -> dict:
    r = route("1", [up.addr])
    r["plugins"] = {"limit-bandwidth": limits}
    return {"stream_routes": [r]}


def download(port: int, size: int) -> float:
    t0 = time.monotonic()
    s = connect(port, timeout=30)
    recv_exact(s, size)
    took = time.monotonic() - t0
    s.close()
    return took


@pytest.mark.time_limit(60)
def test_download_is_paced_without_buffering(sluice):
    up = pusher(64 * MIB)  # far more than the test reads: buffering it would show in the RSS
    sl = sluice(gateway=gateway(up, {"download_rate": RATE}))
    pid = sl.pid
    rss: list[int] = []
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            rss.append(vm_rss_kib(pid))
            done.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    took = download(sl.port, MIB)
    done.set()
    sampler.join()
    growth = max(rss) - rss[0]
    print(f"download: 1 MiB in {took:.2f} s; VmRSS {rss[0]}…{max(rss)} KiB over {len(rss)} samples")
    assert 3.2 <= took <= 4.8, f"1 MiB at 256 KiB/s took {took:.2f} s"
    assert len(rss) >= 10
    assert growth < 4096, f"RSS grew by {growth} KiB while the upstream pushed 64 MiB (samples {rss})"


@pytest.mark.time_limit(60)
def test_upload_is_paced(sluice):
    arrived: list[float] = []

    def sink(conn: socket.socket, server: TcpServer) -> None:
        t0 = time.monotonic()
        recv_exact(conn, MIB)
        arrived.append(time.monotonic() - t0)
        conn.sendall(b"done\n")

    up = TcpServer(sink, name="sink")
    sl = sluice(gateway=gateway(up, {"upload_rate": RATE}))
    t0 = time.monotonic()
    s = connect(sl.port, timeout=30)
    s.sendall(b"y" * MIB)  # mostly lands in kernel buffers at once: the time that counts is the upstream's
    assert recv_exact(s, 5) == b"done\n"
    took = time.monotonic() - t0
    s.close()
    print(f"upload: the upstream got 1 MiB in {arrived[0]:.2f} s")
    assert 3.2 <= arrived[0] <= 4.8 and took <= 5.0, f"upstream got 1 MiB in {arrived[0]:.2f} s"


@pytest.mark.time_limit(60)
def test_route_rate_is_shared_by_concurrent_connections(sluice):
    up = pusher(64 * MIB)
    sl = sluice(gateway=gateway(up, {"route_download_rate": RATE}))
    took: list[float] = []
    threads = [threading.Thread(target=lambda: took.append(download(sl.port, MIB // 2))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Together 1 MiB at the route's 256 KiB/s: each connection gets half, so both take about 4 s (alone, one
    # would take 2 s).
    print(f"route-shared: two 512 KiB downloads took {took}")
    assert len(took) == 2 and all(3.2 <= t <= 4.8 for t in took), took


@pytest.mark.time_limit(60)
def test_udp_datagrams_beyond_the_rate_are_dropped(sluice):
    from test_udp import UdpNamedEcho, udp_sluice

    echo = UdpNamedEcho()
    r = route("1", [echo.addr])
    r["plugins"] = {"limit-bandwidth": {"upload_rate": 4096}}  # a 1 KiB bucket
    sl = udp_sluice(sluice, [r])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(1.0)
    for _ in range(20):  # 20 KB at once: about one bucket's worth passes, the rest is dropped
        s.sendto(b"z" * 1000, (LOOPBACK, sl.udp_port))
    replies = 0
    try:
        while True:
            s.recvfrom(65535)
            replies += 1
    except socket.timeout:
        pass
    s.close()
    assert 1 <= replies <= 3, f"{replies} of 20 datagrams passed a 4 KiB/s limit"
