"""Configurations that are valid but cannot work: `sluice validate` prints
`warning:` lines and exits 0; Admin API writes succeed with a `warnings` array."""

from harness import route, run_validate

CANNOT_WORK = """stream_routes:
  - id: "1"
    server_port: 1
    upstream_id: u
  - id: "2"
    sni: db.example.com
    upstream_id: u
upstreams:
  - id: u
    nodes: {}
"""


def test_validate_prints_warnings_and_exits_0(sluice, sluice_bin):
    sl = sluice(gateway=CANNOT_WORK, start=False)
    rc, out = run_validate(sluice_bin, sl.config_path)
    assert rc == 0, f"exit {rc}: {out}"
    lines = out.strip().split("\n")
    assert lines[-1] == "ok", out
    assert lines[0].startswith("warning: gateway.yaml:3: stream_routes[0].server_port: no listener serves port 1 "), out
    assert lines[1].startswith("warning: gateway.yaml:6: stream_routes[1].sni: no listener it can match on "
                               "terminates TLS"), out
    assert lines[2] == ("warning: gateway.yaml:10: upstreams[0].nodes: no nodes: every connection routed here "
                        "will fail"), out


def test_admin_api_saves_and_warns(sluice):
    sl = sluice()
    st, _, body = sl.admin("PUT", "/apisix/admin/upstreams/u", {"nodes": {}})
    assert st == 201 and body["warnings"] == ["nodes: no nodes: every connection routed here will fail"], body
    st, _, body = sl.admin("PUT", "/apisix/admin/stream_routes/1", {"server_port": 1, "upstream_id": "u"})
    assert st == 201, body
    assert body["warnings"][0].startswith(f"server_port: no listener serves port 1 (listeners: tcp 127.0.0.1:{sl.port})")
    st, _, body = sl.admin("PUT", "/apisix/admin/stream_routes/2",
                           route("2", ["127.0.0.1:1"], server_port=sl.port, sni="a.example.com"))
    assert st == 201 and body["warnings"][0].startswith("sni: no listener it can match on terminates TLS"), body
    st, _, body = sl.admin("PUT", "/apisix/admin/stream_routes/3", route("3", ["127.0.0.1:1"], server_port=sl.port))
    assert st == 201 and "warnings" not in body, body


SHADOWED = """stream_routes:
  - id: wide
    remote_addr: 127.0.0.0/8
    priority: 1
    upstream_id: u
  - id: narrow
    remote_addr: 127.0.0.0/8
    upstream_id: u
upstreams:
  - id: u
    nodes: {"127.0.0.1:1": 1}
"""


def test_a_shadowed_route_is_a_warning_in_validate_and_the_api(sluice, sluice_bin):
    sl = sluice(gateway=SHADOWED, start=False)
    rc, out = run_validate(sluice_bin, sl.config_path)
    assert rc == 0, f"exit {rc}: {out}"
    assert out.strip().split("\n") == [
        "warning: gateway.yaml:6: stream_routes[1].priority: never chosen: route wide (stream_routes[0]) matches "
        "every connection this route does and is tried first (its priority 1 is higher); a priority above 1 makes "
        "this route win",
        "ok"], out
    sl.start()
    st, _, body = sl.admin("PUT", "/apisix/admin/stream_routes/later",
                           route("later", ["127.0.0.1:1"], remote_addr="127.0.0.1"))
    assert st == 201 and "warnings" not in body, body      # more specific: tried first
    st, _, body = sl.admin("PATCH", "/apisix/admin/stream_routes/narrow", {"priority": 2})
    assert st == 200 and "warnings" not in body, body      # now it wins over `wide`
    st, _, body = sl.admin("PATCH", "/apisix/admin/stream_routes/wide", {"priority": 3})
    assert st == 200 and "warnings" not in body, body      # the warning is about `narrow`, not the route written
    st, _, body = sl.admin("PATCH", "/apisix/admin/stream_routes/narrow", {"name": "x"})
    assert st == 200 and body["warnings"][0].startswith("priority: never chosen: route wide (stream_routes[0])"), body
