"""traffic-split end to end: 9:1 over 100 connections between an `upstream_id` and the route's own upstream
(named line servers), the same between two inline upstreams on a route without an upstream of its own (real
redis servers, each telling its port), an upstream named by traffic-split protected from deletion, and an
unknown `upstream_id` refused with its field path; rules with `match` (the client address, the listener port,
APISIX's stream test on `route_id`), applied live, and malformed expressions refused with their path."""

from __future__ import annotations

from collections import Counter

import pytest

from harness import RedisServer, Resp, ask_new, named_server, route, wait_until


def split_route(weighted: list[dict], nodes: list[str] | None = None) -> dict:
    r = route("1", nodes) if nodes else {"id": "1"}
    r["plugins"] = {"traffic-split": {"rules": [{"weighted_upstreams": weighted}]}}
    return r


@pytest.mark.time_limit(90)
def test_traffic_split_9_to_1_between_an_upstream_id_and_the_routes_own(sluice):
    canary, stable = named_server("canary"), named_server("stable")
    sl = sluice(gateway={
        "upstreams": [{"id": "canary", "type": "roundrobin", "nodes": {canary.addr: 1}}],
        "stream_routes": [split_route([{"upstream_id": "canary", "weight": 1}, {"weight": 9}], [stable.addr])]})
    got = Counter(ask_new(sl.port).split(":")[0] for _ in range(100))
    assert got == {"stable": 90, "canary": 10}, got
    entries = sl.wait_log(100)
    assert Counter(e["upstream_addr"] for e in entries) == {stable.addr: 90, canary.addr: 10}

    # The upstream traffic-split names is in use: the Admin API refuses to delete it, as for an upstream_id.
    st, _, reply = sl.admin("DELETE", "/apisix/admin/upstreams/canary")
    assert st == 400 and "stream route [1]" in str(reply), (st, reply)
    # An unknown upstream_id is refused with its path.
    body = split_route([{"upstream_id": "nope", "weight": 1}], [stable.addr])
    del body["id"]
    st, _, reply = sl.admin("PUT", "/apisix/admin/stream_routes/1", body)
    assert st == 400, (st, reply)
    assert reply["error_msg"] == ('failed to check the configuration of stream plugin [traffic-split]: property '
                                  '"rules[0].weighted_upstreams[0].upstream_id" validation failed: upstream "nope" '
                                  'does not exist'), reply
    assert ask_new(sl.port).split(":")[0] in ("stable", "canary"), "the refused change was applied"


@pytest.mark.time_limit(90)
def test_traffic_split_between_inline_upstreams_without_a_route_upstream(sluice, tmp_path):
    a, b = RedisServer(tmp_path / "a"), RedisServer(tmp_path / "b")
    try:
        sl = sluice(gateway={"stream_routes": [split_route([
            {"upstream": {"type": "roundrobin", "nodes": {a.addr: 1}}, "weight": 9},
            {"upstream": {"type": "roundrobin", "nodes": {b.addr: 1}}, "weight": 1}])]})
        ports = Counter()
        for _ in range(100):
            c = Resp(sl.port, timeout=10)
            try:
                ports[int(c.call("CONFIG", "GET", "port")[1])] += 1
            finally:
                c.close()
        assert ports == {a.port: 90, b.port: 10}, ports
    finally:
        a.stop()
        b.stop()


@pytest.mark.time_limit(90)
def test_traffic_split_rules_match_the_connection(sluice):
    canary, eu, stable = named_server("canary"), named_server("eu"), named_server("stable")
    sl = sluice(listeners=2, start=False)
    first, second = sl.ports
    sl.write_gateway({
        "upstreams": [{"id": "canary", "type": "roundrobin", "nodes": {canary.addr: 1}}],
        "stream_routes": [{"id": "1", "upstream": {"type": "roundrobin", "nodes": {stable.addr: 1}}, "plugins": {
            "traffic-split": {"rules": [
                # The second client address, or the second listener, goes to the canary …
                {"match": [{"vars": [["remote_addr", "ipmatch", "127.0.0.2/32"]]},
                           {"vars": [["server_port", "==", second]]}],
                 "weighted_upstreams": [{"upstream_id": "canary"}]},
                # … other clients of the first listener: half to eu, half to the route's own.
                {"match": [{"vars": [["server_port", "~=", second], ["remote_addr", "==", "127.0.0.1"]]}],
                 "weighted_upstreams": [{"upstream": {"type": "roundrobin", "nodes": {eu.addr: 1}}}, {"weight": 1}]},
            ]}}}]})
    sl.start()
    assert Counter(ask_new(first, source="127.0.0.2").split(":")[0] for _ in range(10)) == {"canary": 10}
    assert Counter(ask_new(second).split(":")[0] for _ in range(10)) == {"canary": 10}
    assert Counter(ask_new(first).split(":")[0] for _ in range(20)) == {"eu": 10, "stable": 10}

    # APISIX's stream test: a match on route_id, applied live.
    body = {"upstream": {"type": "roundrobin", "nodes": {stable.addr: 1}}, "plugins": {"traffic-split": {"rules": [
        {"match": [{"vars": [["route_id", "==", "1"]]}], "weighted_upstreams": [{"upstream_id": "canary"}]}]}}}
    st, _, reply = sl.admin("PUT", "/apisix/admin/stream_routes/1", body)
    assert st in (200, 201), (st, reply)
    wait_until(lambda: ask_new(first, source="127.0.0.3").startswith("canary:"), 10, "route_id rule")

    # Malformed expressions are refused with their path; the running rules stay.
    for vars_, why in [
            ([["http_host", "==", "a"]], 'property "rules[0].match[0].vars[0][0]" validation failed: unknown variable '
                                         '"http_host"'),
            ([["remote_addr", "=~", "a"]], 'property "rules[0].match[0].vars[0][1]" validation failed: invalid '
                                           'operator "=~"'),
            ([["remote_port", ">", "x"]], 'property "rules[0].match[0].vars[0][2]" validation failed: > compares '
                                          'numbers')]:
        body["plugins"]["traffic-split"]["rules"][0]["match"] = [{"vars": vars_}]
        st, _, reply = sl.admin("PUT", "/apisix/admin/stream_routes/1", body)
        assert st == 400, (st, reply)
        assert reply["error_msg"].startswith("failed to check the configuration of stream plugin [traffic-split]: "
                                             + why), reply
    assert ask_new(first, source="127.0.0.3").startswith("canary:")
