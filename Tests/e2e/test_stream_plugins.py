"""Stream plugins end to end: ip-restriction (whitelist, blacklist; IPv4 with 127.0.0.2 as a second client
address, IPv6 ::1) and limit-conn (conn 2 burst 1: the 3rd connection delayed, the 4th refused, slots freed
by a client close, an upstream close and a client reset)."""

from __future__ import annotations

import socket
import struct
import time

import pytest

from harness import LOOPBACK, TcpServer, ask, connect, free_port, route, wait_closed


def line_server() -> TcpServer:
    """Replies `up:x` to every line `x`; resets the connection on `bye` (a FIN alone would only half-close)."""
    def handler(conn: socket.socket, server: TcpServer) -> None:
        f = conn.makefile("rb")
        try:
            for line in f:
                if line.strip() == b"bye":
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    return
                conn.sendall(b"up:" + line)
        finally:
            f.close()
    return TcpServer(handler, name="up")


def plugin_route(up: TcpServer, plugins: dict) -> dict:
    r = route("1", [up.addr])
    r["plugins"] = plugins
    return r


def put_plugins(sl, up: TcpServer, plugins: dict) -> None:
    """Replaces route 1 through the Admin API (in force for the very next connection)."""
    body = plugin_route(up, plugins)
    del body["id"]
    st, _, reply = sl.admin("PUT", "/apisix/admin/stream_routes/1", body)
    assert st in (200, 201), reply


def refused(port: int, source: str | None = None, host: str = LOOPBACK) -> bool:
    """True when the gateway closes a fresh connection without forwarding a line."""
    s = connect(port, host=host, timeout=5, source=source) if host == LOOPBACK else connect6(port)
    try:
        s.sendall(b"ping\n")
    except OSError:
        return True
    got, _ = wait_closed(s, 5)
    s.close()
    return got == b""


def connect6(port: int) -> socket.socket:
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(("::1", port))
    return s


def served(s: socket.socket) -> bool:
    return ask(s, "ping") == "up:ping"


@pytest.mark.time_limit(60)
def test_ip_restriction_whitelist_and_blacklist_over_ipv4(sluice):
    up = line_server()
    sl = sluice(gateway={"stream_routes": [plugin_route(up, {"ip-restriction": {"whitelist": ["127.0.0.1"]}})]})
    assert served(connect(sl.port, source="127.0.0.1"))
    assert refused(sl.port, source="127.0.0.2")
    [entry] = sl.wait_log(1, where=lambda e: e["remote_addr"] == "127.0.0.2")
    assert (entry["status"], entry["close_reason"], entry["upstream_addr"]) == ("403", "ip_restricted", "-"), entry
    assert up.accepted == 1, "a refused client reached the upstream"

    put_plugins(sl, up, {"ip-restriction": {"blacklist": ["127.0.0.2/32"]}})
    assert served(connect(sl.port, source="127.0.0.1"))
    assert refused(sl.port, source="127.0.0.2")
    assert up.accepted == 2


@pytest.mark.time_limit(60)
def test_ip_restriction_over_ipv6(sluice):
    up = line_server()
    port6 = free_port()
    sl = sluice(start=False, gateway={"stream_routes": [
        plugin_route(up, {"ip-restriction": {"blacklist": ["::1"]}})]})
    text = sl.config_path.read_text().replace("    tcp:\n", f'    tcp:\n      - "[::1]:{port6}"\n', 1)
    sl.config_path.write_text(text)
    sl.start()
    sl.wait_listening(port6)
    assert served(connect(sl.port))
    assert refused(port6, host="::1")
    [entry] = sl.wait_log(1, where=lambda e: e["remote_addr"] == "::1")
    assert (entry["status"], entry["close_reason"]) == ("403", "ip_restricted"), entry

    put_plugins(sl, up, {"ip-restriction": {"whitelist": ["::1/128"]}})
    assert refused(sl.port)
    s = connect6(port6)
    assert served(s)
    s.close()


def timed_ask(s: socket.socket) -> float:
    t0 = time.monotonic()
    assert served(s)
    return time.monotonic() - t0


@pytest.mark.time_limit(90)
def test_limit_conn_delays_the_burst_refuses_beyond_it_and_frees_every_way(sluice):
    delay = 0.6
    up = line_server()
    sl = sluice(gateway={"stream_routes": [plugin_route(up, {"limit-conn": {
        "conn": 2, "burst": 1, "default_conn_delay": delay, "only_use_default_delay": True,
        "key": "remote_addr"}})]})
    c1, c2 = connect(sl.port), connect(sl.port)
    assert timed_ask(c1) < delay and timed_ask(c2) < delay
    c3 = connect(sl.port)
    assert timed_ask(c3) >= delay * 0.9, "the connection within the burst was not delayed"
    assert refused(sl.port)
    [entry] = sl.wait_log(1)
    assert (entry["status"], entry["close_reason"], entry["upstream_addr"]) == ("503", "limit_conn", "-"), entry

    def frees(close_it, how: str, ended: int) -> socket.socket:
        close_it()
        sl.wait_log(ended, where=lambda e: e["status"] == "200")
        s = connect(sl.port)
        assert timed_ask(s) >= delay * 0.9, f"after {how}: the new connection is the 3rd, so delayed"
        return s

    c4 = frees(c1.close, "a client close", 1)
    c5 = frees(lambda: c2.sendall(b"bye\n"), "an upstream close", 2)
    c3.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    c6 = frees(c3.close, "a client reset", 3)
    reasons = [e["close_reason"] for e in sl.log_entries() if e["status"] == "200"]
    assert reasons[:2] == ["client_closed", "upstream_closed"], reasons
    # Still three live: nothing was freed twice.
    assert refused(sl.port)
    assert len(sl.wait_log(2, where=lambda e: e["close_reason"] == "limit_conn")) == 2
    for s in (c4, c5, c6):
        s.close()
    sl.wait_log(6, where=lambda e: e["status"] == "200")
    # All freed: two fresh connections pass at once.
    d1, d2 = connect(sl.port), connect(sl.port)
    assert timed_ask(d1) < delay and timed_ask(d2) < delay
    d1.close()
    d2.close()


@pytest.mark.time_limit(60)
def test_plugin_errors_in_the_admin_api_and_validate(sluice):
    sl = sluice()
    body = {"upstream": {"nodes": {"127.0.0.1:1": 1}, "type": "roundrobin"},
            "plugins": {"limit-conn": {"conn": 0, "burst": 0, "default_conn_delay": 1, "key": "remote_addr"}}}
    st, _, reply = sl.admin("PUT", "/apisix/admin/stream_routes/1", body)
    assert st == 400 and reply["error_msg"] == ("failed to check the configuration of stream plugin [limit-conn]: "
                                                'property "conn" validation failed: must be > 0, got 0')
    body["plugins"] = {"mqtt-proxy": {"protocol_name": "MQTT", "protocol_level": 9}}
    st, _, reply = sl.admin("PUT", "/apisix/admin/stream_routes/1", body)
    assert st == 400 and 'stream plugin [mqtt-proxy]: property "protocol_level" validation failed: must be 3 (MQTT 3.1)' in reply["error_msg"], reply
    body["plugins"] = {"ip-restriction": {"whitelist": ["127.0.0.1"]},
                       "limit-conn": {"conn": 1, "burst": 0, "default_conn_delay": 1, "key": "remote_addr",
                                      "_meta": {"disable": True}}}
    assert sl.admin("PUT", "/apisix/admin/stream_routes/1", body)[0] in (200, 201)

    from harness import run_validate
    bad = sluice(start=False, name="bad", gateway={"services": [{"id": "s", "plugins": {
        "ip-restriction": {"whitelist": ["127.0.0.1"], "blacklist": ["::1"]}}}]})
    code, out = run_validate(bad.binary, bad.config_path)
    assert code != 0 and "services[0].plugins.ip-restriction: must have only one of whitelist or blacklist" in out, out


@pytest.mark.time_limit(40)
def test_limit_conn_slot_freed_by_an_idle_timeout(sluice):
    up = line_server()
    r = route("1", [up.addr], timeout={"connect": 1, "send": 1, "read": 1})
    r["plugins"] = {"limit-conn": {"conn": 1, "burst": 0, "default_conn_delay": 1, "key": "remote_addr"}}
    sl = sluice(gateway={"stream_routes": [r]})
    idle = connect(sl.port)
    assert served(idle)
    assert refused(sl.port)
    sl.wait_log(1, where=lambda e: e["close_reason"] == "idle_timeout")
    s = connect(sl.port)
    assert served(s)
    s.close()
