"""The data plane under abuse and bad luck (issue 12's probes): checksummed integrity with half-closes at volume,
an upstream dying mid-stream, a client that never reads, a UDP flood against the session cap, garbage on every
listener kind, and kill -9 in the middle of an Admin API write burst. Each probe is bounded in time and count;
the `slow` ones run the full counts in `make reliability`."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from harness import LOOPBACK, TcpServer, echo_server, free_port, route, wait_until
from probes import rss_kib, udp_echo

MIB = 1024 * 1024


def _digest_handler(conn: socket.socket, server: TcpServer) -> None:
    """Reads until the client half-closes, then answers the SHA-256 of what it read and closes."""
    h = hashlib.sha256()
    while chunk := conn.recv(65536):
        h.update(chunk)
    conn.sendall(h.hexdigest().encode())


def _one_checked_connection(port: int, rng: random.Random) -> bool:
    payload = rng.randbytes(rng.choice([1, 100, 4096, 70_000, 300_000]))
    with socket.create_connection((LOOPBACK, port), timeout=20) as s:
        s.sendall(payload)
        s.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := s.recv(256):
            answer += chunk
    return answer.decode() == hashlib.sha256(payload).hexdigest()


def _integrity(sluice, count: int) -> None:
    up = TcpServer(_digest_handler, name="digest")
    sl = sluice(gateway={"stream_routes": [route("1", [up.addr])]})
    with ThreadPoolExecutor(32) as pool:
        results = list(pool.map(lambda i: _one_checked_connection(sl.port, random.Random(i)), range(count)))
    assert results.count(False) == 0, f"{results.count(False)} of {count} connections lost or changed bytes"
    assert sl.alive()


@pytest.mark.time_limit(120)
def test_checksummed_integrity_with_half_closes(sluice):
    _integrity(sluice, 1000)


@pytest.mark.slow
@pytest.mark.time_limit(900)
def test_checksummed_integrity_at_10000_connections(sluice):
    _integrity(sluice, 10_000)


@pytest.mark.time_limit(60)
def test_an_upstream_dying_mid_stream_closes_its_clients_promptly_and_touches_no_other(sluice):
    doomed = echo_server(name="doomed")
    other = echo_server(name="other")
    sl = sluice(gateway={"stream_routes": [
        {"id": "doomed", "server_port": None, "upstream": {"nodes": {doomed.addr: 1}}}]}, listeners=2)
    gw = {"stream_routes": [
        {"id": "doomed", "server_port": sl.ports[0], "upstream": {"nodes": {doomed.addr: 1}}},
        {"id": "other", "server_port": sl.ports[1], "upstream": {"nodes": {other.addr: 1}}}]}
    sl.admin("PUT", "/apisix/admin/stream_routes/doomed", gw["stream_routes"][0])
    sl.admin("PUT", "/apisix/admin/stream_routes/other", gw["stream_routes"][1])
    victims = [socket.create_connection((LOOPBACK, sl.ports[0]), timeout=5) for _ in range(20)]
    bystanders = [socket.create_connection((LOOPBACK, sl.ports[1]), timeout=5) for _ in range(20)]
    for s in victims + bystanders:
        s.sendall(b"hello\n")
        assert s.recv(100) == b"hello\n"
    started = time.monotonic()
    doomed.close()  # the node's sockets and listener go away mid-stream
    for s in victims:
        s.settimeout(5)
        try:
            while s.recv(65536):
                pass
        except ConnectionResetError:
            pass
    took = time.monotonic() - started
    assert took < 2, f"clients of a dead node were closed only after {took:.1f} s"
    for s in bystanders:
        s.sendall(b"still\n")
        assert s.recv(100) == b"still\n"
    assert sl.alive()


def _firehose(conn: socket.socket, server: TcpServer) -> None:
    block = b"x" * 65536
    try:
        for _ in range(200 * 16):  # 200 MiB
            conn.sendall(block)
    except OSError:
        pass


@pytest.mark.time_limit(90)
def test_a_client_that_never_reads_costs_bounded_memory(sluice):
    up = TcpServer(_firehose, name="firehose")
    sl = sluice(gateway={"stream_routes": [route("1", [up.addr])]})
    before = rss_kib(sl.pid)
    stalled = []
    for _ in range(10):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
        s.connect((LOOPBACK, sl.port))
        stalled.append(s)
    time.sleep(4)  # the node writes as fast as Sluice takes it; the clients read nothing
    grown = (rss_kib(sl.pid) - before) / 1024
    assert grown < 10 * 4 + 16, f"10 stalled clients grew RSS by {grown:.0f} MiB"
    s = stalled[0]
    got = 0
    s.settimeout(10)
    while got < 4 * MIB:  # and the bytes still flow once the client reads
        got += len(s.recv(65536))
    assert sl.alive()


@pytest.mark.time_limit(90)
def test_a_udp_flood_beyond_the_session_cap_costs_bounded_memory(sluice):
    node = udp_echo()
    port = free_port()
    sl = sluice(start=False, gateway={"stream_routes": [
        {"id": "u", "upstream": {"nodes": {node: 1}}}]})
    text = sl.config_path.read_text()
    sl.config_path.write_text(text.replace(
        "  admin:\n", f'    udp:\n      - "{LOOPBACK}:{port}"\n    udp_session_limit: 500\n  admin:\n', 1))
    sl.start()
    keeper = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    keeper.settimeout(5)
    keeper.sendto(b"first", (LOOPBACK, port))
    assert keeper.recv(100) == b"first"
    before = rss_kib(sl.pid)
    flood = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(2000)]
    for s in flood:
        s.sendto(b"f" * 200, (LOOPBACK, port))
    time.sleep(1)
    for s in flood:
        s.close()
    grown = rss_kib(sl.pid) - before
    assert grown < 16 * 1024, f"a 2,000-client flood grew RSS by {grown} KiB with a cap of 500 sessions"
    keeper.sendto(b"again", (LOOPBACK, port))
    assert keeper.recv(100) == b"again", "an established session must keep working during a flood"


@pytest.mark.time_limit(90)
def test_garbage_on_every_listener_kind_leaves_the_gateway_serving(sluice, echo):
    ports = [free_port() for _ in range(3)]
    udp = free_port()
    sl = sluice(start=False, gateway={"stream_routes": [route("1", [echo.addr])]})
    text = sl.config_path.read_text()
    extra = (f'      - addr: "{LOOPBACK}:{ports[0]}"\n        tls_passthrough: true\n'
             f'      - addr: "{LOOPBACK}:{ports[1]}"\n        proxy_protocol: true\n'
             f'      - addr: "{LOOPBACK}:{ports[2]}"\n        tls: true\n'
             f'    udp:\n      - "{LOOPBACK}:{udp}"\n')
    sl.config_path.write_text(text.replace("  admin:\n", extra + "  admin:\n", 1))
    sl.ports += ports
    sl.start()
    rng = random.Random(12)
    for i in range(400):
        port = rng.choice(sl.ports)
        blob = rng.randbytes(rng.randint(1, 3000))
        if i % 5 == 0:
            blob = rng.choice([b"\x16\x03\x01", b"PROXY TCP4 ", b"\r\n\r\n\x00\x0dQUIT\x0a", b"\x16\x03\x01\xff\xff"]) + blob
        try:
            with socket.create_connection((LOOPBACK, port), timeout=3) as s:
                s.sendall(blob)
                if i % 2:
                    s.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.sendto(blob[:1400], (LOOPBACK, udp))
        u.close()
    assert sl.alive()
    with socket.create_connection((LOOPBACK, sl.ports[0]), timeout=5) as s:
        s.sendall(b"ok\n")
        assert s.recv(10) == b"ok\n"


@pytest.mark.time_limit(120)
def test_kill_9_during_an_admin_write_burst_loses_no_acknowledged_write_and_leaves_a_valid_file(sluice, echo):
    sl = sluice(gateway={"stream_routes": [route("1", [echo.addr])]})
    acknowledged: list[str] = []
    stop = threading.Event()

    def writer(n: int):
        i = 0
        while not stop.is_set():
            rid = f"w{n}-{i}"
            try:
                st, _, _ = sl.admin("PUT", f"/apisix/admin/upstreams/{rid}",
                                    {"type": "roundrobin", "nodes": {echo.addr: 1}}, timeout=5)
            except OSError:
                return
            if st in (200, 201):
                acknowledged.append(rid)
            i += 1
    threads = [threading.Thread(target=writer, args=(n,), daemon=True) for n in range(4)]
    for t in threads:
        t.start()
    wait_until(lambda: len(acknowledged) >= 40, 30, "a burst of acknowledged writes")
    os.kill(sl.pid, signal.SIGKILL)
    sl.proc.wait()
    stop.set()
    for t in threads:
        t.join(timeout=10)
    done = list(acknowledged)
    sl.start()
    st, _, body = sl.admin("GET", "/apisix/admin/upstreams")
    assert st == 200
    stored = {item["value"]["id"] for item in body["list"]} if isinstance(body.get("list"), list) else set()
    missing = [rid for rid in done if rid not in stored]
    assert not missing, f"{len(missing)} acknowledged writes lost after kill -9: {missing[:5]}"
    with socket.create_connection((LOOPBACK, sl.port), timeout=5) as s:
        s.sendall(b"ok\n")
        assert s.recv(10) == b"ok\n"
