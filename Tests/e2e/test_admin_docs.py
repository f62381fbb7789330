"""The curl commands of APISIX's stream-proxy documentation, against Sluice's
Admin API, each followed by real redis traffic through the new route."""

import json
import shutil
import subprocess

import pytest

from harness import Resp

DOC_EXAMPLES = {
    "remote_addr": lambda port, redis: {
        "remote_addr": "127.0.0.1",
        "upstream": {"nodes": {redis: 1}, "type": "roundrobin"},
    },
    "server_addr": lambda port, redis: {
        "server_addr": "127.0.0.1",
        "server_port": port,
        "upstream": {"nodes": {redis: 1}, "type": "roundrobin"},
    },
    "server_port": lambda port, redis: {
        "server_port": port,
        "upstream": {"nodes": {redis: 1}, "type": "roundrobin"},
    },
    # "Accept TCP connection": the MySQL example, hashing on the client address.
    "mysql_style": lambda port, redis: {
        "remote_addr": "127.0.0.1",
        "upstream": {"type": "chash", "key": "remote_addr", "nodes": {redis: 1}},
    },
}


def curl(sl, method: str, path: str, body: dict) -> tuple[int, dict]:
    exe = shutil.which("curl")
    if not exe:
        pytest.skip("curl is not installed")
    out = subprocess.run(
        [exe, "-s", "-w", "\n%{http_code}", f"http://127.0.0.1:{sl.admin_port}{path}",
         "-H", f"X-API-KEY: {sl.admin_key}", "-X", method, "-d", json.dumps(body)],
        stdout=subprocess.PIPE, check=True, timeout=10).stdout.decode()
    text, code = out.rsplit("\n", 1)
    return int(code), json.loads(text)


@pytest.mark.parametrize("example", sorted(DOC_EXAMPLES))
def test_doc_example_creates_route_and_carries_redis(sluice, redis_server, example):
    sl = sluice()
    body = DOC_EXAMPLES[example](sl.port, redis_server.addr)
    code, reply = curl(sl, "PUT", "/apisix/admin/stream_routes/1", body)
    assert code == 201, reply
    assert reply["key"] == "/apisix/stream_routes/1"
    assert reply["value"]["id"] == "1"
    c = Resp(sl.port, timeout=10)
    try:
        assert c.call("PING") == "PONG"
        assert c.call("SET", "doc:" + example, "v") == "OK"
        assert c.call("GET", "doc:" + example) == b"v"
    finally:
        c.close()
    assert sl.admin("GET", "/apisix/admin/stream_routes/1")[0] == 200
    e = sl.wait_log(1)[-1]
    assert e["status"] == "200" and e["upstream_addr"] == redis_server.addr, e["raw"]
    assert e["route_id"] == "1", e["raw"]
