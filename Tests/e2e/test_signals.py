"""SIGTERM/SIGINT: stop accepting, drain open connections, exit 0."""

import signal
import socket
import time

import pytest

from harness import LOOPBACK, connect, echo_roundtrip, route, wait_closed, wait_until


def _refused(port) -> bool:
    s = socket.socket()
    s.settimeout(1)
    try:
        s.connect((LOOPBACK, port))
        return False
    except ConnectionRefusedError:
        return True
    finally:
        s.close()


@pytest.mark.time_limit(60)
def test_sigterm_drains_open_connection_then_exits_0(sluice, echo):
    sl = sluice(drain_timeout=30, gateway={"stream_routes": [route("1", [echo.addr])]})
    s = connect(sl.port, timeout=5)
    assert echo_roundtrip(s, b"before\n") == b"before\n"

    sl.signal(signal.SIGTERM)
    # the listener goes away ...
    wait_until(lambda: not sl.is_listening(sl.port), 5, "sluice to close its listener after SIGTERM")
    assert _refused(sl.port), "a new connection was accepted after SIGTERM"
    # ... while the open connection keeps working
    assert sl.alive(), "sluice exited while a connection was still open"
    for i in range(3):
        msg = f"during drain {i}\n".encode()
        assert echo_roundtrip(s, msg) == msg
        time.sleep(0.2)
    assert sl.alive()

    t0 = time.monotonic()
    s.close()
    rc = sl.wait_exit(5)
    took = time.monotonic() - t0
    assert rc == 0, f"exit status {rc}; output:\n{sl.stderr_tail()}"
    assert took < 3, f"sluice took {took:.1f}s to exit after the last connection closed"


@pytest.mark.time_limit(60)
def test_drain_timeout_closes_idle_connection_and_exits_0(sluice, echo):
    sl = sluice(drain_timeout=1, gateway={"stream_routes": [route("1", [echo.addr])]})
    s = connect(sl.port, timeout=10)
    assert echo_roundtrip(s, b"hi\n") == b"hi\n"
    t0 = time.monotonic()
    sl.signal(signal.SIGTERM)
    got, _ = wait_closed(s, 5)
    s.close()
    rc = sl.wait_exit(5)
    took = time.monotonic() - t0
    assert rc == 0, f"exit status {rc}; output:\n{sl.stderr_tail()}"
    assert took < 3.5, f"with drain_timeout 1 sluice took {took:.1f}s to exit"
    es = sl.log_entries()
    assert es and es[-1]["close_reason"] == "shutdown", [e["raw"] for e in es]


@pytest.mark.time_limit(30)
def test_sigterm_with_no_connections_exits_0_quickly(sluice, echo):
    sl = sluice(gateway={"stream_routes": [route("1", [echo.addr])]})
    t0 = time.monotonic()
    sl.stop(signal.SIGTERM, timeout=5)
    assert time.monotonic() - t0 < 3


@pytest.mark.time_limit(30)
def test_sigint_exits_0(sluice, echo):
    sl = sluice(gateway={"stream_routes": [route("1", [echo.addr])]})
    sl.stop(signal.SIGINT, timeout=5)

