"""Retries over dead nodes; all nodes dead; connect timeout to a blackhole."""

import time

import pytest

from harness import Blackhole, LOOPBACK, connect, echo_roundtrip, free_port, route, wait_closed


def _addrs(e):
    return [a.strip() for a in e["upstream_addr"].split(",") if a.strip()]


def test_dead_node_is_skipped_by_retries(sluice, echo):
    dead = f"{LOOPBACK}:{free_port()}"  # nothing listens there: connect is refused
    sl = sluice(gateway={"stream_routes": [
        route("1", {dead: 1, echo.addr: 1}, type="roundrobin", retries=1,
              timeout={"connect": 1, "send": 5, "read": 5})]})
    for i in range(20):
        s = connect(sl.port, timeout=5)
        msg = f"hello {i}\n".encode()
        assert echo_roundtrip(s, msg) == msg, f"connection {i} failed"
        s.close()
    entries = sl.wait_log(20)
    assert not [e for e in entries if e["close_reason"] == "connect_failed"], \
        [e["raw"] for e in entries if e["close_reason"] == "connect_failed"][:3]
    assert all(e["status"] == "200" for e in entries), [e["raw"] for e in entries][:3]
    assert all(_addrs(e) and _addrs(e)[-1] == echo.addr for e in entries), \
        [e["raw"] for e in entries][:3]
    retried = [e for e in entries if _addrs(e)[0] == dead]
    assert retried, ("no session lists the dead node first in $upstream_addr "
                     f"(expected 'dead, live' on some): {[e['raw'] for e in entries][:4]}")
    assert all(_addrs(e) == [dead, echo.addr] for e in retried), [e["raw"] for e in retried][:3]


def test_all_nodes_dead_closes_client_with_502(sluice):
    dead1, dead2 = f"{LOOPBACK}:{free_port()}", f"{LOOPBACK}:{free_port()}"
    sl = sluice(gateway={"stream_routes": [
        route("1", {dead1: 1, dead2: 1}, timeout={"connect": 1, "send": 5, "read": 5})]})
    s = connect(sl.port, timeout=5)
    try:
        s.sendall(b"anyone there?\n")
    except OSError:
        pass
    got, took = wait_closed(s, 5)
    s.close()
    assert got == b"", f"client received {got!r} although no node was reachable"
    e = sl.wait_log(1)[-1]
    assert e["status"] == "502", e["raw"]
    assert e["close_reason"] == "connect_failed", e["raw"]
    assert e["bytes_sent"] == "0", e["raw"]


@pytest.mark.time_limit(40)
def test_connect_timeout_to_blackhole(sluice):
    bh = Blackhole()
    if not bh.works():
        pytest.skip("cannot make a blackhole listener here (SYNs to a full accept queue are not dropped)")
    sl = sluice(gateway={"stream_routes": [
        route("1", [bh.addr], retries=0, timeout={"connect": 1, "send": 5, "read": 5})]})
    s = connect(sl.port, timeout=10)
    t0 = time.monotonic()
    got, _ = wait_closed(s, 8)
    took = time.monotonic() - t0
    s.close()
    assert got == b""
    assert took < 5, f"client closed only after {took:.1f}s with timeout.connect=1"
    assert took > 0.5, f"client closed after {took:.2f}s, before the 1 s connect timeout could expire"
    e = sl.wait_log(1)[-1]
    assert e["close_reason"] == "connect_failed", e["raw"]
    assert e["status"] == "502", e["raw"]
