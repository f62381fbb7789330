"""Redis through the proxy: a real protocol, a large value."""

import hashlib
import os

import pytest

from harness import Resp, route


@pytest.mark.time_limit(90)
def test_redis_ping_and_10mb_set_get(sluice, redis_server):
    sl = sluice(gateway={"stream_routes": [route("1", [redis_server.addr])]})
    c = Resp(sl.port, timeout=30)
    try:
        assert c.call("PING") == "PONG"
        value = os.urandom(10 * 1024 * 1024)
        assert c.call("SET", "e2e:big", value) == "OK"
        got = c.call("GET", "e2e:big")
        assert got is not None, "GET returned nil"
        assert len(got) == len(value), f"GET returned {len(got)} bytes, expected {len(value)}"
        assert hashlib.sha256(got).hexdigest() == hashlib.sha256(value).hexdigest(), \
            "value came back corrupted"
        assert c.call("STRLEN", "e2e:big") == len(value)
        assert c.call("PING") == "PONG"
    finally:
        c.close()

    entries = sl.wait_log(1)
    e = entries[-1]
    assert e["status"] == "200", e["raw"]
    assert e["upstream_addr"] == redis_server.addr, e["raw"]
    assert int(e["bytes_received"]) > 10 * 1024 * 1024, e["raw"]
    assert int(e["bytes_sent"]) > 10 * 1024 * 1024, e["raw"]


def test_redis_many_commands_pipelined(sluice, redis_server):
    sl = sluice(gateway={"stream_routes": [route("1", [redis_server.addr])]})
    c = Resp(sl.port, timeout=20)
    try:
        n = 2000
        c.sock.sendall(b"".join(Resp.encode("INCR", "e2e:ctr") for _ in range(n)))
        replies = [c._read() for _ in range(n)]
        assert replies == list(range(1, n + 1))
    finally:
        c.close()
