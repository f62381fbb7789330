"""Byte-exact proxying under concurrency."""

import os
import random
import socket
import threading

import pytest

from harness import connect, random_chunks, route, sha256


def _one(port: int, seed: int, size: int, results: dict, idx: int) -> None:
    rnd = random.Random(seed)
    data = os.urandom(size)
    s = connect(port, timeout=30)
    send_err: list[BaseException] = []

    def sender():
        try:
            for chunk in random_chunks(data, rnd, 1, 32768):
                s.sendall(chunk)
        except BaseException as e:  # noqa: BLE001
            send_err.append(e)

    t = threading.Thread(target=sender, daemon=True)
    t.start()
    got = bytearray()
    try:
        while len(got) < size:
            c = s.recv(65536)
            if not c:
                break
            got += c
        t.join(30)
        results[idx] = (sha256(data), sha256(bytes(got)), len(got), send_err[:1])
    except BaseException as e:  # noqa: BLE001
        results[idx] = (sha256(data), None, len(got), [e])
    finally:
        s.close()


@pytest.mark.time_limit(120)
def test_200_concurrent_echo_connections_byte_exact(sluice, echo):
    sl = sluice(gateway={"stream_routes": [route("1", [echo.addr])]})
    n, size = 200, 256 * 1024
    results: dict = {}
    threads = [threading.Thread(target=_one, args=(sl.port, i, size, results, i), daemon=True)
               for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    assert len(results) == n, f"only {len(results)} of {n} clients finished"
    bad = {i: r for i, r in results.items() if r[0] != r[1] or r[3]}
    assert not bad, (f"{len(bad)} of {n} connections lost or reordered bytes, e.g. "
                     + "; ".join(f"#{i}: got {r[2]} bytes, error {r[3]}"
                                 for i, r in list(bad.items())[:3]))

    entries = sl.wait_log(n, timeout=10)
    assert all(e["status"] == "200" for e in entries), [e["raw"] for e in entries if e["status"] != "200"][:3]
    assert all(int(e["bytes_received"]) == size and int(e["bytes_sent"]) == size
               for e in entries), [e["raw"] for e in entries][:3]


def test_echo_small_messages_in_order(sluice, echo):
    sl = sluice(gateway={"stream_routes": [route("1", [echo.addr])]})
    s = connect(sl.port)
    for i in range(500):
        msg = f"message {i}\n".encode()
        s.sendall(msg)
        got = b""
        while len(got) < len(msg):
            c = s.recv(len(msg) - len(got))
            assert c, f"EOF at message {i}"
            got += c
        assert got == msg
    s.close()
    e = sl.wait_log(1)[-1]
    assert e["close_reason"] == "client_closed", e["raw"]
    assert e["route_id"] == "1", e["raw"]
