"""The prometheus plugin and export server end to end: scrapes parsed by prometheus_client's text parser, counters
checked against the traffic sent (connections, bytes each way, on the fast path and through NIO), refusals per
listener and reason, node health after a node dies, APISIX's per-route series only for routes carrying the
plugin, APISIX's `plugin_attr.prometheus` form, and a clear error for a port in use."""

from __future__ import annotations

import socket

from harness import (LOOPBACK, connect, echo_roundtrip, echo_server, free_port, named_server, route, wait_closed,
                     wait_until)

N = 5
PAYLOAD = b"x" * 1000


def _sessions(port: int, n: int = N) -> None:
    """`n` connections, each echoing PAYLOAD once and closing."""
    for _ in range(n):
        s = connect(port)
        assert echo_roundtrip(s, PAYLOAD) == PAYLOAD
        s.close()


def _idle(sl):
    """A scrape taken once no session is open any more (their counters have settled)."""
    return wait_until(lambda: (lambda m: m if all(v == 0 for _, v in
                                                  m.series("sluice_listener_active_connections")) else None)(
        sl.scrape()), 10, "every session to end")


def test_counters_match_the_traffic_and_per_route_series_need_the_plugin(sluice):
    up = echo_server()
    sl = sluice(listeners=2, prometheus=True, start=False)
    metered = route("1", [up.addr], server_port=sl.ports[0], name="web")
    metered["plugins"] = {"prometheus": {"prefer_name": True}}
    sl.write_gateway({"stream_routes": [metered, route("2", [up.addr], server_port=sl.ports[1])]})
    sl.start()
    held = connect(sl.ports[0])
    assert echo_roundtrip(held, b"hi") == b"hi"
    m = sl.scrape()
    a0, a1 = f"{LOOPBACK}:{sl.ports[0]}", f"{LOOPBACK}:{sl.ports[1]}"
    assert m.value("apisix_stream_active_connections", listen_addr=a0) == 1
    assert m.value("sluice_route_active_connections", route="1") == 1
    held.close()

    _sessions(sl.ports[0])
    _sessions(sl.ports[1])  # a route without plugins: the kernel fast path
    m = _idle(sl)
    # APISIX's names exactly as its exporter writes them (the parser adds `_total` to counters that lack it).
    for name in ("apisix_stream_connection_total{", "apisix_stream_status{", "apisix_stream_bandwidth{",
                 "apisix_stream_active_connections{", "apisix_node_info{"):
        assert f"\n{name}" in m.text, name
    # APISIX's per-route series: only the route carrying the plugin, labelled by its name (prefer_name).
    assert m.series("apisix_stream_connection_total") == [({"route": "web"}, N + 1)]
    assert m.value("apisix_stream_status_total", code="200", listen_addr=a0, node=up.addr) == N + 1
    assert {ls["listen_addr"] for ls, _ in m.series("apisix_stream_status_total")} == {a0}
    # Per listener, always: bytes as sent, both sides.
    for addr, extra in ((a0, 2), (a1, 0)):
        for type_, side in (("ingress", "downstream"), ("egress", "downstream"), ("egress", "upstream"),
                            ("ingress", "upstream")):
            got = m.value("apisix_stream_bandwidth_total", listen_addr=addr, type=type_, side=side)
            assert got == N * len(PAYLOAD) + extra, (addr, type_, side, got)
        assert m.value("apisix_stream_active_connections", listen_addr=addr) == 0
    # Sluice's own, for every route, upstream and node.
    assert m.value("sluice_route_connections_total", route="2") == N
    assert m.value("sluice_route_bytes_total", route="2", direction="from_client") == N * len(PAYLOAD)
    assert m.value("sluice_route_bytes_total", route="2", direction="to_client") == N * len(PAYLOAD)
    assert m.value("sluice_route_closed_total", route="2", reason="client_closed") == N
    assert m.value("sluice_node_connections_total", upstream="stream_routes/2", node=up.addr) == N
    assert m.value("sluice_listener_connections_total", listener=f"tcp {a1}") == N
    assert m.value("sluice_node_health", upstream="stream_routes/2", node=up.addr, state="healthy") == 1
    build = m.series("sluice_build_info")
    assert len(build) == 1 and build[0][1] == 1 and build[0][0]["version"], build
    # /metrics serves the same; the configuration revision moves with a change.
    revision = sl.scrape("/metrics").value("sluice_config_revision")
    st, _, body = sl.admin("PATCH", "/apisix/admin/stream_routes/2", {"desc": "changed"})
    assert st == 200, body
    wait_until(lambda: sl.scrape().value("sluice_config_revision") > revision, 5, "the revision to move")


def test_refusals_are_counted_per_listener_and_reason(sluice):
    up = echo_server()
    sl = sluice(listeners=2, prometheus=True, start=False)
    r = route("1", [up.addr], server_port=sl.ports[0])
    r["plugins"] = {"prometheus": {}, "ip-restriction": {"blacklist": ["127.0.0.1"]}}
    sl.write_gateway({"stream_routes": [r]})  # nothing routes the second listener
    sl.start()
    for port, n in ((sl.ports[0], 3), (sl.ports[1], 2)):
        for _ in range(n):
            s = connect(port)
            got, _ = wait_closed(s, 5)
            assert got == b""
            s.close()
    m = _idle(sl)
    assert m.value("sluice_listener_refusals_total", listener=f"tcp {LOOPBACK}:{sl.ports[0]}",
                   reason="ip_restricted") == 3
    assert m.value("sluice_listener_refusals_total", listener=f"tcp {LOOPBACK}:{sl.ports[1]}",
                   reason="no_route") == 2
    # APISIX counts the refused sessions of the route too, with nginx's 403 and no node.
    assert m.series("apisix_stream_connection_total") == [({"route": "1"}, 3)]
    assert m.value("apisix_stream_status_total", code="403", listen_addr=f"{LOOPBACK}:{sl.ports[0]}", node="") == 3
    assert m.value("sluice_route_closed_total", route="1", reason="ip_restricted") == 3


def test_node_health_follows_a_node_that_dies(sluice):
    a, b = named_server("a"), named_server("b")
    checks = {"active": {"type": "tcp", "timeout": 0.5, "healthy": {"interval": 1, "successes": 1},
                         "unhealthy": {"interval": 1, "tcp_failures": 1, "timeouts": 1}}}
    sl = sluice(prometheus=True, gateway={
        "upstreams": [{"id": "1", "checks": checks, "nodes": {a.addr: 1, b.addr: 1}}],
        "stream_routes": [{"id": "1", "upstream_id": "1"}]})

    def state(m, addr):
        on = [ls["state"] for ls, v in m.series("sluice_node_health")
              if ls["upstream"] == "upstreams/1" and ls["node"] == addr and v == 1]
        assert len(on) <= 1, on
        return on[0] if on else None

    wait_until(lambda: state(sl.scrape(), a.addr) == "healthy" and state(sl.scrape(), b.addr) == "healthy", 10,
               "both nodes healthy")
    b.close()
    wait_until(lambda: state(sl.scrape(), b.addr) == "unhealthy", 10, "the dead node to show unhealthy")
    m = sl.scrape()
    assert state(m, a.addr) == "healthy"
    host, port = b.addr.rsplit(":", 1)
    assert m.value("apisix_upstream_status", name="/apisix/upstreams/1", ip=host, port=port) == 0
    host, port = a.addr.rsplit(":", 1)
    assert m.value("apisix_upstream_status", name="/apisix/upstreams/1", ip=host, port=port) == 1


def test_apisix_plugin_attr_form_and_metric_prefix(sluice):
    up = echo_server()
    sl = sluice(root="apisix", start=False)
    sl.metrics_port = free_port()
    with open(sl.config_path, "a") as f:
        f.write("plugin_attr:\n  prometheus:\n    export_uri: /stats\n    metric_prefix: gw_\n"
                f"    export_addr:\n      ip: {LOOPBACK}\n      port: {sl.metrics_port}\n")
    r = route("1", [up.addr])
    r["plugins"] = {"prometheus": {}}
    sl.write_gateway({"stream_routes": [r]})
    sl.start()
    _sessions(sl.port, 2)
    wait_until(lambda: sl.scrape("/stats").value("gw_stream_connection_total", route="1") == 2, 5,
               "the sessions under the configured prefix")
    assert sl.scrape("/metrics").series("apisix_stream_connection_total") == []


def test_a_port_in_use_is_a_clear_startup_error(sluice):
    taken = socket.socket()
    taken.bind((LOOPBACK, 0))
    taken.listen()
    try:
        sl = sluice(prometheus=True, start=False)
        free, sl.metrics_port = sl.metrics_port, taken.getsockname()[1]
        sl.config_path.write_text(sl.config_path.read_text().replace(f"{LOOPBACK}:{free}",
                                                                     f"{LOOPBACK}:{sl.metrics_port}"))
        sl.start(wait=False)
        assert sl.wait_exit(15) == 1
        assert (f"cannot listen on {LOOPBACK}:{sl.metrics_port} (sluice.prometheus.listen, the Prometheus endpoint): "
                "address already in use") in sl.stderr()
    finally:
        taken.close()


def test_sighup_moves_the_export_server(sluice):
    sl = sluice(prometheus=True)
    old, new = sl.metrics_port, free_port()
    sl.config_path.write_text(sl.config_path.read_text().replace(f"{LOOPBACK}:{old}", f"{LOOPBACK}:{new}"))
    sl.reload()
    wait_until(lambda: sl.is_listening(new) and not sl.is_listening(old), 10, "the export server on its new port")
    sl.metrics_port = new
    assert sl.scrape().value("sluice_config_revision") == 1
    # Without the section, a reload turns it off.
    sl.config_path.write_text(sl.config_path.read_text().replace(f'  prometheus:\n    listen: "{LOOPBACK}:{new}"\n',
                                                                 ""))
    sl.reload()
    wait_until(lambda: not sl.is_listening(new), 10, "the export server to stop")
