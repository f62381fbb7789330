"""Route selection: server_port, remote_addr, precedence, no match."""

import socket

import pytest

from harness import LOOPBACK, ask, ask_new, connect, named_server, route, wait_closed


@pytest.fixture
def ab():
    return named_server("A"), named_server("B")


def _can_bind_127_0_0_2() -> bool:
    s = socket.socket()
    try:
        s.bind(("127.0.0.2", 0))
        return True
    except OSError:
        return False
    finally:
        s.close()


def test_route_by_server_port(sluice, ab):
    a, b = ab
    sl = sluice(listeners=2, start=False)
    p1, p2 = sl.ports
    sl.write_gateway({"stream_routes": [
        route("1", [a.addr], server_port=p1),
        route("2", [b.addr], server_port=p2)]})
    sl.start()
    assert ask_new(p1) == "A:ping"
    assert ask_new(p2) == "B:ping"
    assert ask_new(p1, "again") == "A:again"
    entries = sl.wait_log(3)
    seen = sorted((e["route_id"], e["upstream_addr"]) for e in entries)
    assert seen == [("1", a.addr), ("1", a.addr), ("2", b.addr)], [e["raw"] for e in entries]


def test_route_by_remote_addr(sluice, ab):
    if not _can_bind_127_0_0_2():
        pytest.skip("cannot bind a client socket to 127.0.0.2")
    a, b = ab
    sl = sluice(gateway={"stream_routes": [
        route("1", [a.addr], remote_addr="127.0.0.1"),
        route("2", [b.addr], remote_addr="127.0.0.2")]})
    assert ask_new(sl.port, source="127.0.0.1") == "A:ping"
    assert ask_new(sl.port, source="127.0.0.2") == "B:ping"


def test_remote_addr_list_and_cidr(sluice, ab):
    if not _can_bind_127_0_0_2():
        pytest.skip("cannot bind a client socket to 127.0.0.2")
    a, b = ab
    sl = sluice(gateway={"stream_routes": [
        route("wide", [a.addr], remote_addr="127.0.0.0/8"),
        route("narrow", [b.addr], remote_addr=["127.0.0.2/32", "127.0.0.3"])]})
    # the longer prefix wins for 127.0.0.2; 127.0.0.1 only matches the /8
    assert ask_new(sl.port, source="127.0.0.2") == "B:ping"
    assert ask_new(sl.port, source="127.0.0.1") == "A:ping"


def test_specific_route_beats_catch_all(sluice, ab):
    a, b = ab
    sl = sluice(listeners=2, start=False)
    p1, p2 = sl.ports
    # the catch-all is listed first and has the lower id: specificity still wins
    sl.write_gateway({"stream_routes": [
        route("1", [a.addr]),
        route("2", [b.addr], server_port=p2)]})
    sl.start()
    assert ask_new(p2) == "B:ping"
    assert ask_new(p1) == "A:ping"


def test_server_port_beats_remote_addr(sluice, ab):
    a, b = ab
    sl = sluice(listeners=1, start=False)
    sl.write_gateway({"stream_routes": [
        route("1", [a.addr], remote_addr="127.0.0.1"),
        route("2", [b.addr], server_port=sl.port)]})
    sl.start()
    assert ask_new(sl.port) == "B:ping"


def test_no_matching_route_closes_without_bytes(sluice, ab):
    a, _ = ab
    sl = sluice(listeners=2, start=False)
    p1, p2 = sl.ports
    sl.write_gateway({"stream_routes": [route("1", [a.addr], server_port=p1)]})
    sl.start()
    s = connect(p2, timeout=5)
    try:
        s.sendall(b"ping\n")
    except OSError:
        pass
    got, took = wait_closed(s, 3)
    s.close()
    assert got == b"", f"an unrouted connection received {got!r}"
    assert took < 2, f"an unrouted connection was closed only after {took:.1f}s"
    assert a.accepted == 0, "an unrouted connection reached an upstream"
    e = sl.wait_log(1)[-1]
    assert e["close_reason"] == "no_route", e["raw"]
    # the routed listener still works
    assert ask_new(p1) == "A:ping"
