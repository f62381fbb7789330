"""Idle timeout: max(send, read) seconds without traffic closes the session."""

import time

import pytest

from harness import connect, echo_roundtrip, route, wait_closed

FAST = {"connect": 1, "send": 1, "read": 1}


@pytest.mark.time_limit(40)
def test_idle_connection_closed_after_idle_timeout(sluice, echo):
    sl = sluice(gateway={"stream_routes": [route("1", [echo.addr], timeout=FAST)]})
    s = connect(sl.port, timeout=10)
    assert echo_roundtrip(s, b"wake up\n") == b"wake up\n"
    t0 = time.monotonic()
    got, _ = wait_closed(s, 6)
    took = time.monotonic() - t0
    s.close()
    assert got == b""
    assert took < 4, f"idle connection closed only after {took:.1f}s (idle timeout 1 s)"
    assert took > 0.5, f"idle connection closed after {took:.2f}s, before the 1 s idle timeout"
    e = sl.wait_log(1)[-1]
    assert e["close_reason"] == "idle_timeout", e["raw"]


@pytest.mark.time_limit(40)
def test_active_connection_survives_idle_timeout(sluice, echo):
    sl = sluice(gateway={"stream_routes": [route("1", [echo.addr], timeout=FAST)]})
    s = connect(sl.port, timeout=3)
    t0 = time.monotonic()
    i = 0
    while time.monotonic() - t0 < 2.7:
        msg = f"tick {i}\n".encode()
        try:
            got = echo_roundtrip(s, msg)
        except (EOFError, OSError) as e:
            raise AssertionError(
                f"a connection sending every 0.3 s was closed after {time.monotonic() - t0:.1f}s: {e!r}")
        assert got == msg
        i += 1
        time.sleep(0.3)
    s.close()
    e = sl.wait_log(1)[-1]
    assert e["close_reason"] == "client_closed", e["raw"]


@pytest.mark.time_limit(40)
def test_idle_timeout_counts_either_direction(sluice):
    """Traffic only from the upstream (a ticker) also keeps the session alive."""
    import socket as _s
    from harness import TcpServer

    def ticker(conn, server):
        for _ in range(9):
            conn.sendall(b".")
            time.sleep(0.3)
        conn.recv(1)  # then wait for the client to go away

    up = TcpServer(ticker, name="ticker")
    sl = sluice(gateway={"stream_routes": [route("1", [up.addr], timeout=FAST)]})
    s = connect(sl.port, timeout=3)
    got = b""
    t0 = time.monotonic()
    while len(got) < 9:
        c = s.recv(16)
        if not c:
            raise AssertionError(f"closed after {time.monotonic() - t0:.1f}s while the upstream kept sending")
        got += c
    s.close()
