"""Inputs that once killed the gateway, through every way they can arrive: `sluice validate`, the data file at
start, a hand edit (the watcher), SIGHUP and the Admin API. Each must be refused with its bound named, and the
running gateway must keep serving."""

from __future__ import annotations

import re
import time

import pytest

from harness import ADMIN_KEY, connect, echo_roundtrip, route, run_validate, to_yaml, wait_until, write_atomic
from probes import rss_kib


def _bomb(levels: int = 9, width: int = 10) -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    names = "abcdefghijklmnopqrstuvwxyz"[:levels]
    for prev, name in zip(names, names[1:]):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * width) + "]")
    return "\n".join(lines) + "\n"


def _route_yaml(upstream: str) -> str:
    return 'stream_routes:\n  - id: "1"\n    upstream:\n' + upstream + '      nodes: {"127.0.0.1:1": 1}\n'


# name, gateway.yaml text, error expected in file form, Admin API (method, path, body) or None, its error
CASES = [
    ("connect_1e10", _route_yaml("      timeout: {connect: 10000000000}\n"),
     r"gateway\.yaml:4: stream_routes\[0\]\.upstream\.timeout\.connect: must be more than 0 and at most "
     r"31536000 seconds, got 10000000000",
     ("PUT", "/apisix/admin/stream_routes/9", {"upstream": {"timeout": {"connect": 1e10},
                                                            "nodes": {"127.0.0.1:1": 1}}}),
     r"upstream\.timeout\.connect: must be more than 0 and at most 31536000 seconds, got 1"),
    ("read_1e300", _route_yaml("      timeout: {read: 1.0e+300}\n"),
     r"gateway\.yaml:4: stream_routes\[0\]\.upstream\.timeout\.read: must be more than 0 and at most 31536000",
     ("PUT", "/apisix/admin/upstreams/u", {"timeout": {"send": 1e300}, "nodes": {"127.0.0.1:1": 1}}),
     r"timeout\.send: must be more than 0 and at most 31536000 seconds, got 1e\+300"),
    ("retry_timeout_1e300", _route_yaml("      retry_timeout: 1.0e+300\n"),
     r"gateway\.yaml:4: stream_routes\[0\]\.upstream\.retry_timeout: must be 0…31536000 seconds",
     ("PUT", "/apisix/admin/upstreams/u", {"retry_timeout": 1e300, "nodes": {"127.0.0.1:1": 1}}),
     r"retry_timeout: must be 0…31536000 seconds, got 1e\+300"),
    ("priority_2e63", 'stream_routes:\n  - id: "1"\n    priority: 9223372036854775807\n'
                      '    upstream:\n      nodes: {"127.0.0.1:1": 1}\n',
     r"gateway\.yaml:3: stream_routes\[0\]\.priority: must be -2147483648…2147483647",
     ("PUT", "/apisix/admin/upstreams/u", {"nodes": [{"host": "127.0.0.1", "port": 1, "weight": 2 ** 40}]}),
     r"nodes\[0\]\.weight: must be 0…2147483647, got 1099511627776"),
    ("dotdot_id", 'upstreams:\n  - id: ".."\n    nodes: {"127.0.0.1:1": 1}\n',
     r'gateway\.yaml:2: upstreams\[0\]\.id: must not be "\.\."',
     ("PUT", "/apisix/admin/upstreams/..", {"nodes": {"127.0.0.1:1": 1}}),
     r'id: must not be \\"\.\.\\"|id: must not be "\.\."'),
    ("alias_bomb", _bomb(),
     r"gateway\.yaml:1: YAML anchors \(&name\) are not supported", None, None),
    ("deep_nesting", "a: " + "[" * 500 + "]" * 500 + "\n",
     r"gateway\.yaml:1: nested too deeply: at most 64 levels", None, None),
]


def _good(port: int) -> dict:
    return {"stream_routes": [route("1", [f"127.0.0.1:{port}"])]}


@pytest.mark.time_limit(60)
@pytest.mark.parametrize("name,text,file_error,admin,admin_error", CASES, ids=[c[0] for c in CASES])
def test_crash_input_is_refused_everywhere(sluice, sluice_bin, echo, name, text, file_error, admin, admin_error):
    # sluice validate
    checker = sluice(start=False, name="validate", gateway=text)
    started = time.monotonic()
    rc, out = run_validate(sluice_bin, checker.config_path, timeout=10)
    assert rc == 1 and re.search(file_error, out), out
    assert time.monotonic() - started < 5, "validate took too long"

    # the data file at start: refused, with the error, and the file left alone
    refused = sluice(start=False, name="start", gateway=text)
    refused.start(wait=False)
    assert refused.wait_exit(10) != 0
    assert re.search(file_error, refused.output()), refused.output()
    assert refused.data_path.read_text() == text

    # a running gateway: hand edit, then SIGHUP, then the Admin API
    sl = sluice(name="running", gateway=_good(echo.port))
    rss_before = rss_kib(sl.pid)
    write_atomic(sl.data_path, text)
    err = wait_until(lambda: sl.admin("GET", "/apisix/admin/status")[2]["data_file_error"], 5,
                     "the hand edit to be reported")
    assert re.search(file_error, err), err
    reports = len(re.findall(file_error, sl.output()))
    sl.reload()
    wait_until(lambda: len(re.findall(file_error, sl.output())) > reports, 5, "the SIGHUP reload to be reported")
    assert sl.alive()
    assert rss_kib(sl.pid) - rss_before < 64 * 1024, "memory grew while refusing the document"
    s = connect(sl.port)
    assert echo_roundtrip(s, b"still serving") == b"still serving"
    s.close()

    if admin is not None:
        write_atomic(sl.data_path, to_yaml(_good(echo.port)))
        wait_until(lambda: sl.admin("GET", "/apisix/admin/status")[2]["data_file_error"] is None, 5, "the fix")
        method, path, body = admin
        status, _, reply = sl.admin(method, path, body)
        assert status == 400 and re.search(admin_error, reply["error_msg"]), (status, reply)
        s = connect(sl.port)
        assert echo_roundtrip(s, b"after the refusal") == b"after the refusal"
        s.close()
        assert "10000000000" not in sl.data_path.read_text()


@pytest.mark.time_limit(30)
def test_viewer_key_cannot_crash_the_gateway_with_page_numbers(sluice, echo):
    sl = sluice(gateway=_good(echo.port), viewer_key="viewer-key-0000")
    for page in ("922337203685477582", "9223372036854775807", "99999999999999999999", "1000001"):
        status, _, body = sl.admin("GET", f"/apisix/admin/upstreams?page={page}&page_size=10", key="viewer-key-0000")
        assert status == 400 and "invalid page" in body["error_msg"], (page, status, body)
    status, _, body = sl.admin("GET", "/apisix/admin/stream_routes?page=1000000&page_size=500", key="viewer-key-0000")
    assert status == 200 and body["list"] == [], body
    assert sl.alive()


@pytest.mark.time_limit(30)
def test_deep_patch_sub_path_is_refused(sluice, echo):
    sl = sluice(gateway=_good(echo.port))
    path = "/apisix/admin/stream_routes/1/" + "/".join(["a"] * 12_000) + "/b"
    status, _, body = sl.admin("PATCH", path, 1)
    assert status == 400 and "at most 32 segments, got 12001" in body["error_msg"], (status, body)
    assert sl.alive()
    assert sl.admin("GET", "/apisix/admin/stream_routes/1")[0] == 200
    assert ADMIN_KEY not in sl.output()
