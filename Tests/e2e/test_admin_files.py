"""Admin API and the files: the generated key, hand edits of gateway.yaml
noticed without SIGHUP, broken hand edits kept, crash safety under kill -9."""

import os
import re
import signal
import threading
import time

import pytest

from harness import Resp, connect, echo_roundtrip, route, to_yaml, wait_until, write_atomic


def route_ids(sl):
    st, _, body = sl.admin("GET", "/apisix/admin/stream_routes")
    assert st == 200, body
    return [x["value"]["id"] for x in body["list"]]


def test_generated_admin_key_written_back_0600_and_not_logged(sluice):
    sl = sluice(admin_key=None, start=False)
    sl.config_path.write_text("# operator comment\n" + sl.config_path.read_text())
    sl.start()
    text = sl.config_path.read_text()
    m = re.search(r'^    key: "([0-9a-f]{32})"$', text, re.M)
    assert m, text
    assert text.startswith("# operator comment\n"), "the operator's layout was not kept"
    assert oct(sl.config_path.stat().st_mode & 0o777) == "0o600"
    key = m.group(1)
    assert key not in sl.output(), "the admin key was logged"
    assert "admin.key" in sl.output()
    sl.admin_key = key
    assert sl.admin("GET", "/apisix/admin/upstreams")[0] == 200
    sl.stop()
    sl.start()
    assert sl.config_path.read_text() == text, "a second start must keep the key"


def test_hand_edit_is_applied_within_a_second_without_sighup(sluice, redis_server, echo):
    sl = sluice(gateway={"stream_routes": [route("1", [f"127.0.0.1:{echo.port}"])]})
    time.sleep(0.3)
    write_atomic(sl.data_path, to_yaml({"stream_routes": [route("2", [redis_server.addr])]}))
    t0 = time.monotonic()
    wait_until(lambda: route_ids(sl) == ["2"], 3, "the hand edit to be applied")
    assert time.monotonic() - t0 < 1.5
    c = Resp(sl.port, timeout=10)
    try:
        assert c.call("PING") == "PONG"
    finally:
        c.close()
    # an in-place edit (not mv) is noticed too
    with open(sl.data_path, "w") as f:
        f.write(to_yaml({"stream_routes": [route("3", [redis_server.addr])]}))
    wait_until(lambda: route_ids(sl) == ["3"], 3, "the in-place edit to be applied")
    # the API's own writes are not taken for hand edits: the revision moves once per write
    rev = sl.admin("GET", "/apisix/admin/status")[2]["revision"]
    hand_edits = sl.output().count("Data file edited by hand; applied")
    assert sl.admin("PUT", "/apisix/admin/stream_routes/4", {"upstream": {"nodes": {redis_server.addr: 1}}})[0] == 201
    time.sleep(1.2)  # two polls of the watcher
    assert sl.admin("GET", "/apisix/admin/status")[2]["revision"] == rev + 1
    assert sl.output().count("Data file edited by hand; applied") == hand_edits


def test_broken_hand_edit_reported_kept_and_writes_refused(sluice, echo):
    sl = sluice(gateway={"stream_routes": [route("1", [f"127.0.0.1:{echo.port}"])]})
    broken = "stream_routes:\n  - id: 1\n    upstream:\n      nodes:\n        \"127.0.0.1:70000\": 1\n"
    write_atomic(sl.data_path, broken)

    def reported():
        st = sl.admin("GET", "/apisix/admin/status")[2]
        return st["data_file_error"]
    err = wait_until(reported, 3, "the broken file to be reported")
    assert "gateway.yaml:5: stream_routes[0].upstream.nodes[0].port" in err, err
    assert "gateway.yaml:5" in sl.output()
    assert route_ids(sl) == ["1"], "the running configuration must be kept"
    s = connect(sl.port)
    assert echo_roundtrip(s, b"still up") == b"still up"
    s.close()
    st, _, body = sl.admin("PUT", "/apisix/admin/stream_routes/2", {"upstream": {"nodes": {"127.0.0.1:1": 1}}})
    assert st == 409 and "data file has errors" in body["error_msg"], body
    assert sl.admin("DELETE", "/apisix/admin/stream_routes/1")[0] == 409
    time.sleep(1)
    assert sl.data_path.read_text() == broken, "the operator's broken file was overwritten"
    # fixed by the operator: applied, and writes work again
    write_atomic(sl.data_path, to_yaml({"stream_routes": [route("5", [f"127.0.0.1:{echo.port}"])]}))
    wait_until(lambda: sl.admin("GET", "/apisix/admin/status")[2]["data_file_error"] is None, 3, "the fix")
    assert route_ids(sl) == ["5"]
    assert sl.admin("PUT", "/apisix/admin/stream_routes/6", {"upstream": {"nodes": {"127.0.0.1:1": 1}}})[0] == 201


@pytest.mark.time_limit(120)
def test_kill_9_during_write_burst_leaves_a_committed_revision(sluice):
    sl = sluice()
    acked = []
    stop = threading.Event()

    def burst():
        for i in range(200):
            if stop.is_set():
                return
            try:
                st, _, _ = sl.admin("PUT", f"/apisix/admin/upstreams/u{i:03d}",
                                    {"nodes": {"127.0.0.1:1": 1}, "desc": "x" * 200}, timeout=5)
            except Exception:
                return
            if st != 201:
                return
            acked.append(i)

    t = threading.Thread(target=burst)
    t.start()
    wait_until(lambda: len(acked) >= 40, 30, "40 acknowledged writes")
    sl.kill()   # SIGKILL
    stop.set()
    t.join(10)
    n_acked = len(acked)
    sl.close_files()
    sl.start()
    ids = [x["value"]["id"] for x in sl.admin("GET", "/apisix/admin/upstreams")[2]["list"]]
    # a committed revision: every acknowledged write, and at most the one in flight
    assert ids == [f"u{i:03d}" for i in range(len(ids))], ids[:5]
    assert n_acked <= len(ids) <= n_acked + 1, (n_acked, len(ids))
