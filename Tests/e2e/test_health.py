"""Upstream health: passive checks (nginx max_fails / fail_timeout), node states (drain, maint), active checks
(tcp, send/expect, TLS, UDP), priority failover, and what /v1/healthcheck says."""

import os
import shutil
import signal
import time

import pytest

from harness import (LOOPBACK, RedisServer, Resp, ask, ask_new, connect, free_port, named_server, route,
                     wait_until)


def _tried(e):
    return [a.strip() for a in e["upstream_addr"].split(",") if a.strip()]


def _redis_exe():
    exe = shutil.which("redis-server")
    if not exe:
        msg = "redis-server is not installed (scripts/install-test-deps.sh)"
        if os.environ.get("CI"):
            pytest.fail(msg, pytrace=False)
        pytest.skip(msg)
    return exe


def _node(addr, **fields):
    host, port = addr.rsplit(":", 1)
    return {"host": host, "port": int(port), "weight": 1, **fields}


def _health(sl, key):
    st, _, body = sl.admin("GET", "/v1/healthcheck")
    assert st == 200, body
    for up in body:
        if up["name"] == f"/apisix/{key}":
            return {f"{n['ip']}:{n['port']}": n["status"] for n in up["nodes"]}
    return {}


@pytest.mark.time_limit(60)
def test_passive_max_fails_skips_the_dead_node_then_tries_it_again(sluice):
    live = named_server("live")
    dead = f"{LOOPBACK}:{free_port()}"
    sl = sluice(gateway={"stream_routes": [route("1", [_node(dead, max_fails=2, fail_timeout=3), _node(live.addr)],
                                                 retries=1)]})
    for i in range(12):
        assert ask_new(sl.port) == "live:ping", f"connection {i}"
    entries = sl.wait_log(12)
    with_dead = [i for i, e in enumerate(entries) if dead in _tried(e)]
    assert len(with_dead) == 2, [e["raw"] for e in entries]
    assert with_dead[-1] < 6, f"the dead node was still tried after its 2 failures: {[e['raw'] for e in entries]}"
    skipped_since = time.monotonic()

    def dead_tried_again():
        assert ask_new(sl.port) == "live:ping"
        return any(dead in _tried(e) for e in sl.log_entries()[12:])
    wait_until(dead_tried_again, 6, "the dead node to be tried again after fail_timeout", interval=0.1)
    waited = time.monotonic() - skipped_since
    assert 1.5 < waited < 4.5, f"tried again after {waited:.1f}s, fail_timeout is 3 s"
    assert all(e["status"] == "200" for e in sl.log_entries()), "every client got through the live node"
    assert "Node health changed" in sl.output() and "suspended" in sl.output()


def test_drain_keeps_open_connections_and_sends_new_ones_elsewhere(sluice):
    a, b = named_server("a"), named_server("b")
    sl = sluice(gateway={"upstreams": [{"id": "1", "nodes": [_node(a.addr), _node(b.addr)]}],
                         "stream_routes": [{"id": "1", "upstream_id": "1"}]})
    held = connect(sl.port)
    first = ask(held).split(":")[0]
    other = {"a": b, "b": a}[first]
    drained = {"a": a, "b": b}[first]
    st, _, body = sl.admin("PATCH", "/apisix/admin/upstreams/1",
                           {"nodes": [_node(drained.addr, state="drain"), _node(other.addr)]})
    assert st == 200, body
    wait_until(lambda: _health(sl, "upstreams/1").get(drained.addr) == "draining", 5, "the node to show draining")
    names = {ask_new(sl.port).split(":")[0] for _ in range(10)}
    assert names == {other.name}, names
    assert ask(held, "still") == f"{first}:still", "the open connection to the drained node keeps working"
    assert "state: drain" in sl.data_path.read_text(), "the drain is persisted"
    st, _, _ = sl.admin("PATCH", "/apisix/admin/upstreams/1", {"nodes": [_node(drained.addr), _node(other.addr)]})
    assert st == 200
    names = {ask_new(sl.port).split(":")[0] for _ in range(10)}
    assert names == {"a", "b"}, names


def test_a_node_in_maint_is_not_chosen_nor_checked(sluice):
    a, b = named_server("a"), named_server("b")
    sl = sluice(gateway={"stream_routes": [route("1", [_node(a.addr, state="maint"), _node(b.addr)])],
                         "upstreams": []})
    accepted = a.accepted
    names = {ask_new(sl.port).split(":")[0] for _ in range(10)}
    assert names == {"b"}
    assert _health(sl, "stream_routes/1")[a.addr] == "maint"
    assert a.accepted == accepted, "no connection at all to a node in maint"


def _active(**over):
    check = {"type": "tcp", "timeout": 0.5, "healthy": {"interval": 1, "successes": 2},
             "unhealthy": {"interval": 1, "tcp_failures": 2, "timeouts": 2}}
    check.update(over)
    return {"active": check}


def _wait_status(sl, key, addr, status, timeout, what=None):
    t0 = time.monotonic()
    wait_until(lambda: _health(sl, key).get(addr) == status, timeout,
               what or f"{addr} to be {status} (now {_health(sl, key).get(addr)})", interval=0.05)
    return time.monotonic() - t0


def _pings(port, n):
    failures = 0
    for _ in range(n):
        try:
            c = Resp(port, timeout=5)
            try:
                if c.call("PING") != "PONG":
                    failures += 1
            finally:
                c.close()
        except (OSError, EOFError):
            failures += 1
    return failures


@pytest.mark.time_limit(90)
def test_active_checks_take_a_killed_redis_out_and_back_in(sluice, tmp_path):
    exe = _redis_exe()
    r1, r2 = RedisServer(tmp_path / "r1", exe), RedisServer(tmp_path / "r2", exe)
    sl = sluice(gateway={"upstreams": [{"id": "1", "retries": 0, "checks": _active(),
                                        "nodes": [_node(r1.addr), _node(r2.addr)]}],
                         "stream_routes": [{"id": "1", "upstream_id": "1"}]})
    _wait_status(sl, "upstreams/1", r2.addr, "healthy", 5)
    assert _pings(sl.port, 20) == 0
    r2.stop()
    took = _wait_status(sl, "upstreams/1", r2.addr, "unhealthy", 1 * 2 + 1 + 1)
    assert took <= 3.2, f"marked unhealthy after {took:.1f}s (interval 1 × tcp_failures 2 + 1 s)"
    mark = len(sl.log_entries())
    assert _pings(sl.port, 200) == 0, "a connection went to the dead node"
    assert "Node health changed" in sl.output()
    r2 = RedisServer(tmp_path / "r2b", exe, port=r2.port)
    took = _wait_status(sl, "upstreams/1", r2.addr, "healthy", 1 * 2 + 1 + 1)
    assert took <= 3.2, f"healthy again after {took:.1f}s (interval 1 × successes 2 + 1 s)"
    assert _pings(sl.port, 20) == 0
    used = {e["upstream_addr"] for e in sl.log_entries()[mark:]}
    assert r2.addr in used, f"the restarted node gets connections again: {used}"
    r1.stop()
    r2.stop()


@pytest.mark.time_limit(60)
def test_a_hung_redis_is_marked_down_by_timeouts(sluice, tmp_path):
    exe = _redis_exe()
    r1, r2 = RedisServer(tmp_path / "r1", exe), RedisServer(tmp_path / "r2", exe)
    checks = _active(send="PING\r\n", expect="+PONG")
    sl = sluice(gateway={"upstreams": [{"id": "1", "retries": 0, "checks": checks,
                                        "nodes": [_node(r1.addr), _node(r2.addr)]}],
                         "stream_routes": [{"id": "1", "upstream_id": "1"}]})
    _wait_status(sl, "upstreams/1", r2.addr, "healthy", 5)
    os.kill(r2.proc.pid, signal.SIGSTOP)
    try:
        _wait_status(sl, "upstreams/1", r2.addr, "unhealthy", 5)
        out = sl.output()
        line = [l for l in out.splitlines() if "Node health changed" in l and r2.addr in l][-1]
        assert "timed out" in line and "refused" not in line, line
        assert _pings(sl.port, 50) == 0
    finally:
        os.kill(r2.proc.pid, signal.SIGCONT)
    _wait_status(sl, "upstreams/1", r2.addr, "healthy", 5)
    r1.stop()
    r2.stop()


def test_send_expect_mismatch_marks_a_node_down(sluice, tmp_path):
    exe = _redis_exe()
    r1 = RedisServer(tmp_path / "r1", exe)
    impostor = named_server("impostor")
    sl = sluice(gateway={"upstreams": [{"id": "1", "checks": _active(send="PING\r\n", expect="+PONG"),
                                        "nodes": [_node(r1.addr), _node(impostor.addr)]}],
                         "stream_routes": [{"id": "1", "upstream_id": "1"}]})
    _wait_status(sl, "upstreams/1", impostor.addr, "unhealthy", 5)
    assert _health(sl, "upstreams/1")[r1.addr] == "healthy"
    st, _, body = sl.admin("GET", "/v1/healthcheck/upstreams/1")
    assert st == 200 and body["name"] == "/apisix/upstreams/1" and body["type"] == "tcp", body
    node = [n for n in body["nodes"] if n["port"] == impostor.port][0]
    assert node["why"] == "expect mismatch" and node["last_check"] == "expect mismatch", node
    assert sl.admin("GET", "/v1/healthcheck/upstreams/nope")[0] == 404
    assert _pings(sl.port, 20) == 0
    r1.stop()


def test_priority_failover_and_failback(sluice):
    primary, backup = named_server("primary"), named_server("backup")
    port = primary.port
    sl = sluice(gateway={"stream_routes": [route("1", [_node(primary.addr, priority=1), _node(backup.addr)])]})
    sl.write_gateway({"stream_routes": [{"id": "1", "upstream": {"checks": _active(), "nodes": [
        _node(primary.addr, priority=1), _node(backup.addr)]}}]})
    sl.reload()
    _wait_status(sl, "stream_routes/1", primary.addr, "healthy", 5)
    assert {ask_new(sl.port).split(":")[0] for _ in range(5)} == {"primary"}
    primary.close()
    _wait_status(sl, "stream_routes/1", f"{LOOPBACK}:{port}", "unhealthy", 4)
    assert {ask_new(sl.port).split(":")[0] for _ in range(5)} == {"backup"}
    primary = named_server("primary", port=port)
    _wait_status(sl, "stream_routes/1", primary.addr, "healthy", 4)
    assert {ask_new(sl.port).split(":")[0] for _ in range(5)} == {"primary"}


def test_all_nodes_unhealthy_means_all_are_tried(sluice):
    a, b = named_server("a"), named_server("b")
    # Both fail the check (they answer "a:PING"), yet both serve clients: with no healthy node, all are tried.
    sl = sluice(gateway={"stream_routes": [{"id": "1", "upstream": {
        "checks": _active(send="PING\n", expect="+PONG"), "nodes": [_node(a.addr), _node(b.addr)]}}]})
    _wait_status(sl, "stream_routes/1", a.addr, "unhealthy", 5)
    _wait_status(sl, "stream_routes/1", b.addr, "unhealthy", 5)
    assert {ask_new(sl.port).split(":")[0] for _ in range(10)} == {"a", "b"}
    assert sl.output().count("Every node of the upstream is unhealthy") == 1


def test_checks_start_when_the_upstream_exists_and_stop_when_it_is_deleted(sluice):
    node = named_server("n")
    sl = sluice(gateway={"stream_routes": []})
    st, _, body = sl.admin("PUT", "/apisix/admin/upstreams/7", {"checks": _active(), "nodes": {node.addr: 1}})
    assert st in (200, 201), body
    wait_until(lambda: node.accepted >= 2, 5, "probes of an upstream no route uses yet")
    assert sl.admin("DELETE", "/apisix/admin/upstreams/7")[0] == 200
    time.sleep(0.3)  # a probe already under way may still land
    seen = node.accepted
    deadline = time.monotonic() + 2.5
    while time.monotonic() < deadline:
        assert node.accepted == seen, "probes went on after the upstream was deleted"
        time.sleep(0.1)


def test_a_node_in_maint_is_not_checked(sluice):
    a, b = named_server("a"), named_server("b")
    sl = sluice(gateway={"stream_routes": [{"id": "1", "upstream": {"checks": _active(), "nodes": [
        _node(a.addr, state="maint"), _node(b.addr)]}}]})
    wait_until(lambda: b.accepted >= 3, 6, "probes of the ready node")
    assert a.accepted == 0, "a node in maint is never probed"


def test_tls_check_verifies_the_node(sluice, tmp_path):
    from tlsutil import CA, tls_line_server
    ca, other = CA(tmp_path / "pki"), CA(tmp_path / "other", name="other")
    good = tls_line_server("good", ca.issue("up.example.com"), tmp_path / "good")
    bad = tls_line_server("bad", other.issue("up.example.com"), tmp_path / "bad")
    sl = sluice(gateway={"stream_routes": [{"id": "1", "upstream": {
        "scheme": "tls", "tls": {"verify": True, "ca": ca.cert, "sni": "up.example.com"},
        "checks": _active(tls=True, send="hi\n", expect="good:hi"), "nodes": [_node(good.addr), _node(bad.addr)]}}]})
    _wait_status(sl, "stream_routes/1", bad.addr, "unhealthy", 5)
    assert _health(sl, "stream_routes/1")[good.addr] == "healthy"
    line = [l for l in sl.output().splitlines() if "Node health changed" in l and bad.addr in l][-1]
    assert "tls handshake failed" in line, line


def test_udp_check_against_a_live_and_a_closed_port(sluice):
    import socket
    import threading
    live = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    live.bind((LOOPBACK, 0))
    live.settimeout(0.2)
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                data, peer = live.recvfrom(2048)
            except socket.timeout:
                continue
            except OSError:
                return
            live.sendto(b"pong:" + data, peer)
    threading.Thread(target=serve, daemon=True).start()
    closed = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    closed.bind((LOOPBACK, 0))
    closed_addr = f"{LOOPBACK}:{closed.getsockname()[1]}"
    closed.close()  # nothing listens: the kernel answers with ICMP port unreachable
    live_addr = f"{LOOPBACK}:{live.getsockname()[1]}"
    try:
        checks = _active(type="udp", send="ping", expect="pong:")
        sl = sluice(gateway={"upstreams": [{"id": "u", "scheme": "udp", "checks": checks,
                                            "nodes": [_node(live_addr), _node(closed_addr)]}],
                             "stream_routes": []})
        _wait_status(sl, "upstreams/u", closed_addr, "unhealthy", 5)
        assert _health(sl, "upstreams/u")[live_addr] == "healthy"
        line = [l for l in sl.output().splitlines() if "Node health changed" in l and closed_addr in l][-1]
        assert "refused" in line, line
    finally:
        stop.set()
        live.close()


def test_a_node_named_localhost_is_checked_and_used(sluice):
    n = named_server("n")
    dead = free_port()
    sl = sluice(gateway={"stream_routes": [{"id": "1", "upstream": {"checks": _active(), "nodes": [
        {"host": "localhost", "port": n.port, "weight": 1}, {"host": "localhost", "port": dead, "weight": 1}]}}]})
    _wait_status(sl, "stream_routes/1", f"localhost:{dead}", "unhealthy", 5)
    assert _health(sl, "stream_routes/1")[f"localhost:{n.port}"] == "healthy"
    assert {ask_new(sl.port) for _ in range(5)} == {"n:ping"}
    st, _, body = sl.admin("GET", "/v1/healthcheck/stream_routes/1")
    node = [x for x in body["nodes"] if x["port"] == n.port][0]
    assert 0 < node["connect_latency"] < 1 and 0 < node["last_check_latency"] < 1, node


@pytest.mark.time_limit(60)
def test_ewma_sends_connections_to_the_node_that_answers_connects(sluice):
    from harness import Blackhole
    slow = Blackhole()
    if not slow.works():
        pytest.skip("cannot make a blackhole listener here (SYNs to a full accept queue are not dropped)")
    fast = named_server("fast")
    # max_fails 0: no passive skipping, so what steers is the moving average of connect times alone (a timed-out
    # connect counts as a 0.3 s sample).
    sl = sluice(gateway={"stream_routes": [{"id": "1", "upstream": {
        "type": "ewma", "retries": 1, "timeout": {"connect": 0.3, "send": 5, "read": 5},
        "nodes": [_node(slow.addr, max_fails=0), _node(fast.addr, max_fails=0)]}}]})
    for i in range(200):
        assert ask_new(sl.port) == "fast:ping", f"connection {i}"
    entries = sl.wait_log(200)
    first_fast = sum(1 for e in entries if _tried(e)[0] == fast.addr)
    assert first_fast >= 160, f"only {first_fast} of 200 connections went to the fast node first"
    node = [n for n in sl.admin("GET", "/v1/healthcheck/stream_routes/1")[2]["nodes"] if n["port"] == fast.port][0]
    assert node["status"] == "healthy" and node["connect_latency"] < 0.1, node


def test_a_change_that_leaves_the_nodes_alone_keeps_their_health(sluice):
    live = named_server("live")
    dead = f"{LOOPBACK}:{free_port()}"
    sl = sluice(gateway={"upstreams": [{"id": "1", "checks": _active(), "nodes": [_node(live.addr), _node(dead)]}],
                         "stream_routes": [{"id": "1", "upstream_id": "1"}]})
    _wait_status(sl, "upstreams/1", dead, "unhealthy", 5)
    def dead_node():
        nodes = sl.admin("GET", "/v1/healthcheck/upstreams/1")[2]["nodes"]
        return [n for n in nodes if f"{n['ip']}:{n['port']}" == dead][0]
    before = dead_node()
    st, _, _ = sl.admin("PATCH", "/apisix/admin/upstreams/1", {"name": "renamed", "retries": 0})
    assert st == 200
    after = dead_node()
    assert after["status"] == "unhealthy" and after["since"] == before["since"], (before, after)
    assert {ask_new(sl.port) for _ in range(5)} == {"live:ping"}, "retries 0, yet no client meets the dead node"


@pytest.mark.time_limit(60)
def test_a_traffic_split_inline_upstream_keeps_its_checks_and_health_across_changes(sluice):
    """An inline upstream of a traffic-split is checked like any other, and an unrelated change neither stops
    its checks nor forgets what they found."""
    live = named_server("live")
    dead_port = free_port()
    dead = f"{LOOPBACK}:{dead_port}"
    split = {"upstream": {"type": "roundrobin", "checks": _active(), "nodes": [_node(live.addr), _node(dead)]},
             "weight": 1}
    sl = sluice(gateway={"stream_routes": [{"id": "1", "plugins": {"traffic-split": {
        "rules": [{"weighted_upstreams": [split]}]}}}]})
    key = "stream_routes/1/traffic-split/0/0"
    _wait_status(sl, key, dead, "unhealthy", 5)
    st, _, body = sl.admin("PUT", "/apisix/admin/stream_routes/2", {"server_port": 1, "upstream": {
        "type": "roundrobin", "nodes": {live.addr: 1}}})
    assert st in (200, 201), body
    assert _health(sl, key).get(dead) == "unhealthy", "the change forgot the dead node's health"
    assert {ask_new(sl.port) for _ in range(5)} == {"live:ping"}
    # The checks go on: the node coming back is seen.
    back = named_server("back", port=dead_port)
    _wait_status(sl, key, dead, "healthy", 10)
    back.close()
