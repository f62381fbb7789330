"""`sluice validate` and start-up checks of the data file."""

import re
import signal
import time

import pytest

from harness import ask_new, named_server, route, run_validate, to_yaml, wait_until

GOOD = {"stream_routes": [route("1", ["127.0.0.1:6379"],
                                timeout={"connect": 1, "send": 5, "read": 5})],
        "upstreams": [{"id": "u1", "nodes": [{"host": "127.0.0.1", "port": 6380, "weight": 1}]}]}

# line 7 is the bad port
BAD_PORT = """stream_routes:
  - id: "1"
    upstream:
      type: roundrobin
      nodes:
        - host: 127.0.0.1
          port: 70000
          weight: 1
"""


def test_validate_good_config_prints_ok(sluice, sluice_bin):
    sl = sluice(gateway=GOOD, start=False)
    rc, out = run_validate(sluice_bin, sl.config_path)
    assert rc == 0, f"exit {rc}: {out}"
    assert out.strip() == "ok", out


def test_validate_with_etcd_reads_no_data_file(sluice, sluice_bin):
    deployment = ("deployment:\n  role: data_plane\n  role_data_plane:\n    config_provider: etcd\n"
                  "  etcd:\n    host: [\"http://127.0.0.1:2379\"]")
    sl = sluice(gateway=BAD_PORT, start=False, deployment=deployment)
    rc, out = run_validate(sluice_bin, sl.config_path)
    assert (rc, out.strip()) == (0, "ok"), out
    sl = sluice(start=False, deployment=deployment.replace("http://", "https://"))
    rc, out = run_validate(sluice_bin, sl.config_path)
    assert (rc, out.strip()) == (0, "ok"), out  # TLS to etcd, checked against the system's CAs
    sl = sluice(start=False, deployment=deployment.replace("http://", "ftp://"))
    rc, out = run_validate(sluice_bin, sl.config_path)
    assert rc == 1 and "deployment.etcd.host[0]: must be an http://host:port or https://host:port URL" in out, out


def test_validate_upstream_id_reference_ok(sluice, sluice_bin):
    sl = sluice(gateway={"stream_routes": [{"id": "1", "upstream_id": "u1"}],
                         "upstreams": GOOD["upstreams"]}, start=False)
    rc, out = run_validate(sluice_bin, sl.config_path)
    assert (rc, out.strip()) == (0, "ok"), out


def test_validate_bad_port_names_file_line_and_field(sluice, sluice_bin):
    sl = sluice(gateway=BAD_PORT, start=False)
    rc, out = run_validate(sluice_bin, sl.config_path)
    assert rc == 1, f"exit {rc}: {out}"
    m = re.search(r"gateway\.yaml:(\d+): stream_routes\[0\]\.upstream\.nodes\[0\]\.port: "
                  r"must be 1…65535, got 70000", out)
    assert m, f"unexpected output: {out!r}"
    assert m.group(1) == "7", f"reported line {m.group(1)}, the port is on line 7: {out!r}"
    assert "ok" not in out.split()


def test_validate_map_form_node_bad_port(sluice, sluice_bin):
    sl = sluice(gateway='stream_routes:\n  - id: "1"\n    upstream:\n      nodes:\n'
                        '        "127.0.0.1:70000": 1\n', start=False)
    rc, out = run_validate(sluice_bin, sl.config_path)
    assert rc == 1, out
    assert re.search(r"gateway\.yaml:\d+: stream_routes\[0\]\.upstream\.nodes", out), out


def test_validate_reports_every_error(sluice, sluice_bin):
    sl = sluice(gateway=BAD_PORT + "  - id: \"2\"\n    upstream:\n      type: nonsense\n"
                "      nodes:\n        - host: 127.0.0.1\n          port: 0\n", start=False)
    rc, out = run_validate(sluice_bin, sl.config_path)
    assert rc == 1, out
    lines = [l for l in out.splitlines() if re.match(r"gateway\.yaml:\d+: ", l)]
    assert len(lines) >= 3, f"expected an error each for route 1's port, route 2's type and port: {out!r}"
    assert any("stream_routes[1].upstream.type" in l for l in lines), out
    assert any("stream_routes[1].upstream.nodes[0].port" in l for l in lines), out


def test_validate_unknown_field_is_named(sluice, sluice_bin):
    sl = sluice(gateway='stream_routes:\n  - id: "1"\n    bogus_field: 3\n    upstream:\n'
                        '      nodes:\n        "127.0.0.1:6379": 1\n', start=False)
    rc, out = run_validate(sluice_bin, sl.config_path)
    assert rc == 1, f"exit {rc}: {out}"
    assert "bogus_field" in out, out
    assert re.search(r"gateway\.yaml:3: ", out), f"expected line 3 for the unknown field: {out!r}"


def test_validate_malformed_yaml_has_line_number(sluice, sluice_bin):
    sl = sluice(gateway='stream_routes:\n  - id: "1"\n    upstream: [unclosed\n      nodes: {\n', start=False)
    rc, out = run_validate(sluice_bin, sl.config_path)
    assert rc == 1, f"exit {rc}: {out}"
    assert re.search(r"gateway\.yaml:\d+", out), out


def test_validate_bad_config_yaml(sluice, sluice_bin):
    sl = sluice(gateway=GOOD, start=False)
    sl.config_path.write_text("sluice:\n  stream_proxy:\n    tcp:\n      - 99999\n")
    rc, out = run_validate(sluice_bin, sl.config_path)
    assert rc == 1, f"exit {rc}: {out}"
    assert re.search(r"config\.yaml:\d+", out), out


def test_missing_data_file_is_created_empty_on_start(sluice, sluice_bin):
    sl = sluice(start=False)
    assert not sl.data_path.exists()
    sl.start()
    wait_until(sl.data_path.exists, 5, "sluice to create the missing data file")
    assert sl.alive()
    # an empty configuration: nothing is routed
    import socket
    s = socket.create_connection(("127.0.0.1", sl.port), timeout=3)
    try:
        s.sendall(b"x")
        try:
            assert s.recv(10) == b""
        except ConnectionResetError:
            pass
    finally:
        s.close()
    sl.stop()
    rc, out = run_validate(sluice_bin, sl.config_path)
    assert (rc, out.strip()) == (0, "ok"), out


def test_invalid_data_file_at_start_fails_and_leaves_file_alone(sluice):
    sl = sluice(gateway=BAD_PORT, start=False)
    before = sl.data_path.read_bytes()
    mtime = sl.data_path.stat().st_mtime_ns
    sl.start(wait=False)
    rc = sl.wait_exit(15)
    assert rc != 0, "sluice started with an invalid gateway.yaml"
    out = sl.output()
    assert re.search(r"gateway\.yaml:7: stream_routes\[0\]\.upstream\.nodes\[0\]\.port", out), out
    assert sl.data_path.read_bytes() == before, "sluice rewrote the invalid data file"
    assert sl.data_path.stat().st_mtime_ns == mtime


@pytest.mark.time_limit(30)
def test_apisix_root_is_accepted(sluice, sluice_bin):
    a = named_server("A")
    sl = sluice(root="apisix", gateway={"stream_routes": [route("1", [a.addr])]}, start=False)
    rc, out = run_validate(sluice_bin, sl.config_path)
    assert (rc, out.strip()) == (0, "ok"), out
    sl.start()
    assert ask_new(sl.port) == "A:ping"


def test_upstream_id_reference_proxies(sluice):
    a = named_server("A")
    sl = sluice(gateway={"stream_routes": [{"id": "1", "upstream_id": "u1"}],
                         "upstreams": [{"id": "u1", "type": "roundrobin",
                                        "nodes": [{"host": "127.0.0.1", "port": a.port, "weight": 1}]}]})
    assert ask_new(sl.port) == "A:ping"
