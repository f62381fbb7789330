"""The Admin API under abuse: refusals decided by the head are answered before any body is read, slow or idle
connections are closed by deadlines, and the number of connections is capped."""

from __future__ import annotations

import selectors
import socket
import time

import pytest

from harness import ADMIN_KEY, wait_until
from probes import http_request, rss_kib

MIB = 1024 * 1024


def _head(method: str, path: str, *, length: int | None = None, key: str | None = None) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: admin"]
    if key:
        lines.append(f"X-API-KEY: {key}")
    if length is not None:
        lines.append(f"Content-Length: {length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _status(response: bytes) -> int | None:
    if not response.startswith(b"HTTP/1.1 "):
        return None
    return int(response[9:12])


def _count_closed(socks: list[socket.socket], seconds: float) -> int:
    """How many of `socks` the server closes within `seconds`."""
    sel = selectors.DefaultSelector()
    for s in socks:
        sel.register(s, selectors.EVENT_READ)
    closed = 0
    deadline = time.monotonic() + seconds
    while sel.get_map() and time.monotonic() < deadline:
        for key, _ in sel.select(timeout=max(0.0, deadline - time.monotonic())):
            try:
                data = key.fileobj.recv(65536)
            except OSError:
                data = b""
            if data == b"":
                closed += 1
                sel.unregister(key.fileobj)
    sel.close()
    return closed


def _closed_by_server(s: socket.socket, deadline: float) -> bool:
    """True when the server closes `s` before `deadline` (monotonic)."""
    while time.monotonic() < deadline:
        s.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            if s.recv(65536) == b"":
                return True
        except socket.timeout:
            return False
        except ConnectionResetError:
            return True
    return False


@pytest.mark.time_limit(60)
def test_refusals_are_answered_from_the_head_before_the_body(sluice):
    sl = sluice(admin_allow=["127.0.0.1/32"])
    path = "/apisix/admin/upstreams/u"
    # not allowed (403), no key (401), declared too large (413): each answered without sending a byte of body
    for head, bind, want in [
        (_head("PUT", path, length=MIB, key=ADMIN_KEY), "127.0.0.2", 403),
        (_head("PUT", path, length=MIB), "127.0.0.1", 401),
        (_head("PUT", path, length=2 * MIB, key=ADMIN_KEY), "127.0.0.1", 413),
    ]:
        started = time.monotonic()
        response = http_request(sl.admin_port, head, bind=bind, timeout=5)
        assert _status(response) == want, (want, response[:200])
        assert time.monotonic() - started < 2, f"{want} waited for a body"
        assert b"Connection: close" in response


@pytest.mark.time_limit(60)
def test_a_refused_client_still_sending_reads_the_answer_then_is_closed_after_the_linger(sluice):
    """A 413 decided by the head while the client goes on sending its body: the answer arrives (our side ends
    with a FIN, not a reset), the bytes that follow are read and dropped, and the connection is closed 5 s later
    (the linger deadline) even though the client never stops."""
    sl = sluice()
    s = socket.create_connection(("127.0.0.1", sl.admin_port), timeout=5)
    s.sendall(_head("PUT", "/apisix/admin/upstreams/u", length=64 * MIB, key=ADMIN_KEY))
    started = time.monotonic()
    answer, closed_after = b"", None
    while time.monotonic() - started < 15:
        try:
            s.sendall(b"x" * 16384)
            s.settimeout(0.1)
            try:
                answer += s.recv(65536)
            except socket.timeout:
                pass
        except OSError:  # reset or broken pipe: the server closed
            closed_after = time.monotonic() - started
            break
        time.sleep(0.1)
    s.close()
    assert _status(answer) == 413, answer[:200]
    assert closed_after is not None and 4 < closed_after < 8, f"closed after {closed_after} s; the linger is 5 s"
    assert sl.admin("GET", "/apisix/admin/status")[0] == 200


@pytest.mark.time_limit(90)
def test_oversized_bodies_from_a_non_allowed_address_are_not_buffered(sluice):
    sl = sluice(admin_allow=["127.0.0.1/32"])
    before = rss_kib(sl.pid)
    body = b"x" * MIB
    socks = []
    for _ in range(100):
        s = socket.socket()
        s.bind(("127.0.0.2", 0))
        s.settimeout(5)
        s.connect(("127.0.0.1", sl.admin_port))
        try:
            # all but the last byte: a server that buffers before checking holds every body, waiting for the end
            s.sendall(_head("PUT", "/apisix/admin/upstreams/u", length=len(body)) + body[:-1])
        except OSError:
            pass  # refused and closed while we were still sending: the point
        socks.append(s)
    grown = (rss_kib(sl.pid) - before) // 1024
    for s in socks:
        s.close()
    assert grown < 40, f"RSS grew by {grown} MiB for 100 refused 1 MiB bodies"
    assert sl.admin("GET", "/apisix/admin/status")[0] == 200


@pytest.mark.time_limit(60)
def test_slowloris_connections_are_closed_by_the_header_deadline(sluice):
    sl = sluice()
    socks = []
    for _ in range(50):
        s = socket.create_connection(("127.0.0.1", sl.admin_port), timeout=5)
        s.sendall(b"GET /apisix/admin/status HTTP/1.1\r\nHost: a\r\n")
        socks.append(s)
    started = time.monotonic()
    # keep trickling header bytes: a deadline on idleness alone would never fire
    open_socks = list(socks)
    while open_socks and time.monotonic() - started < 14:
        still = []
        for s in open_socks:
            try:
                s.sendall(b"X-Slow: 1\r\n")
                s.settimeout(0.01)
                if s.recv(1) == b"":
                    continue
            except socket.timeout:
                pass
            except OSError:
                continue
            still.append(s)
        open_socks = still
        time.sleep(0.5)  # the trickle's pace, not a synchronisation
    elapsed = time.monotonic() - started
    for s in socks:
        s.close()
    assert not open_socks, f"{len(open_socks)} slowloris connections still open after {elapsed:.0f} s"
    assert 8 < elapsed < 14, f"closed after {elapsed:.1f} s; the header deadline is 10 s"
    assert sl.admin("GET", "/apisix/admin/status")[0] == 200


@pytest.mark.slow
@pytest.mark.time_limit(60)
def test_idle_keep_alive_connection_is_closed(sluice):
    sl = sluice()
    s = socket.create_connection(("127.0.0.1", sl.admin_port), timeout=5)
    s.sendall(_head("GET", "/apisix/admin/status", key=ADMIN_KEY))
    assert s.recv(65536).startswith(b"HTTP/1.1 200")
    started = time.monotonic()
    assert _closed_by_server(s, started + 40), "an idle keep-alive connection stayed open"
    assert 28 < time.monotonic() - started < 40
    s.close()


@pytest.mark.time_limit(60)
def test_connection_cap(sluice):
    sl = sluice()
    socks = [socket.create_connection(("127.0.0.1", sl.admin_port), timeout=5) for _ in range(300)]
    closed = _count_closed(socks, 3)
    assert closed == 300 - 256, f"{closed} of 300 connections were closed; the cap is 256"
    for s in socks:
        s.close()
    wait_until(lambda: sl.admin("GET", "/apisix/admin/status")[0] == 200, 5, "the API to answer again")


@pytest.mark.time_limit(30)
def test_head_gets_headers_without_a_body(sluice):
    sl = sluice()
    response = http_request(sl.admin_port, _head("HEAD", "/apisix/admin/status", key=ADMIN_KEY)
                            .replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n"), timeout=5)
    head, _, rest = response.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), response[:200]
    assert b"Content-Length: " in head and rest == b"", response
