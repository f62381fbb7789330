"""The connection pipeline: accept on every event loop without letting a second gateway share the port, a
half-open client released at once during a TLS preread, the peer that went first named in $close_reason."""

from __future__ import annotations

import os
import socket
import time

import pytest

from harness import LOOPBACK, connect, echo_roundtrip, free_port, route, wait_closed, wait_until
from test_tls import ca, ssl_obj, tls_sluice  # noqa: F401  (the ca fixture)


@pytest.mark.time_limit(60)
def test_a_second_gateway_on_the_same_port_fails_loudly(sluice, echo):
    first = sluice(gateway={"stream_routes": [route("1", [echo.addr])]})
    second = sluice(start=False, ports=[first.port], gateway={"stream_routes": [route("1", [echo.addr])]})
    second.start(wait=False)
    code = second.wait_exit(15)
    assert code != 0, "a second gateway bound a port the first one listens on (SO_REUSEPORT sharing)"
    assert f"{LOOPBACK}:{first.port}" in second.stderr() and "in use" in second.stderr().lower(), second.stderr_tail()
    # The first one still serves every connection.
    for i in range(20):
        s = connect(first.port, timeout=5)
        assert echo_roundtrip(s, b"x%d\n" % i) == b"x%d\n" % i
        s.close()


@pytest.mark.time_limit(60)
def test_connections_spread_over_event_loops_all_get_served(sluice, echo):
    sl = sluice(gateway={"stream_routes": [route("1", [echo.addr])]})
    socks = [connect(sl.port, timeout=5) for _ in range(64)]
    for i, s in enumerate(socks):
        assert echo_roundtrip(s, b"n%d\n" % i) == b"n%d\n" % i
    for s in socks:
        s.close()
    entries = sl.wait_log(64)
    assert all(e["close_reason"] == "client_closed" for e in entries), [e["raw"] for e in entries][:3]


@pytest.mark.time_limit(60)
def test_a_half_open_client_during_the_tls_handshake_is_released_at_once(sluice, tmp_path, ca, echo):
    pair = ca.issue("a.example.com")
    sl = tls_sluice(sluice, tmp_path, {"stream_routes": [route("1", [echo.addr])],
                                        "ssls": [ssl_obj("a", pair, ["a.example.com"])]})
    for payload in (b"", b"\x16\x03\x01\x00"):
        s = socket.create_connection((LOOPBACK, sl.tls_port), timeout=5)
        if payload:
            s.sendall(payload)
        s.shutdown(socket.SHUT_WR)
        _, took = wait_closed(s, 5)
        assert took < 2, f"held {took:.1f}s after the client's FIN (preread timeout is 30 s)"
        s.close()
    entries = sl.wait_log(2, where=lambda e: e["status"] == "400")
    assert len(entries) == 2, [e["raw"] for e in entries]
    assert {e["close_reason"] for e in entries} <= {"preread_aborted", "handshake_failed"}, [e["raw"] for e in entries]


@pytest.mark.time_limit(90)
def test_bulk_transfers_are_byte_exact_both_ways_with_half_close(sluice, echo):
    """Past the splice threshold (256 KiB a direction) the fast path moves bytes with splice(2): 4 parallel
    connections of 6 MiB each way, checksummed, the client half-closing at the end; the log counts every byte."""
    import hashlib
    import os
    import threading

    sl = sluice(gateway={"stream_routes": [route("1", [echo.addr])]})
    size = 6 * 1024 * 1024
    results: dict[int, tuple[str, str]] = {}

    def one(i: int) -> None:
        payload = os.urandom(size)
        s = connect(sl.port, timeout=20)
        sender = threading.Thread(target=lambda: (s.sendall(payload), s.shutdown(socket.SHUT_WR)))
        sender.start()
        got = bytearray()
        while True:
            chunk = s.recv(1 << 20)
            if not chunk:
                break
            got += chunk
        sender.join()
        s.close()
        results[i] = (hashlib.sha256(payload).hexdigest(), hashlib.sha256(got).hexdigest() + f" len={len(got)}")

    threads = [threading.Thread(target=one, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(results) == 4 and all(got.startswith(sent) for sent, got in results.values()), \
        f"bytes lost or changed: {results}"
    entries = sl.wait_log(4)
    assert all(e["bytes_sent"] == str(size) and e["bytes_received"] == str(size) for e in entries), \
        [e["raw"] for e in entries]


def _cpu_seconds(pid: int) -> float:
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.mark.time_limit(90)
@pytest.mark.skipif(os.environ.get("SLUICE_FAST_PATH") == "off",
                    reason="NIO's own accept keeps its read registration on EMFILE (readPending), so it spins; "
                           "Sluice accepts on its fast-path loops, which back off")
def test_out_of_file_descriptors_backs_off_instead_of_spinning(sluice, echo):
    import subprocess

    sl = sluice(gateway={"stream_routes": [route("1", [echo.addr])]})
    subprocess.run(["prlimit", f"--pid={sl.pid}", "--nofile=80:80"], check=True)
    held = []
    for _ in range(120):  # each proxied connection costs two descriptors: the limit is reached
        try:
            held.append(connect(sl.port, timeout=2))
        except OSError:
            break
    time.sleep(1)
    before = _cpu_seconds(sl.pid)
    time.sleep(3)
    busy = (_cpu_seconds(sl.pid) - before) / 3
    assert busy < 0.3, f"the accept loop spins at {busy:.0%} of a core while out of descriptors"
    for s in held:
        s.close()

    def serves() -> bool:
        try:
            s = connect(sl.port, timeout=2)
            ok = echo_roundtrip(s, b"again\n") == b"again\n"
            s.close()
            return ok
        except OSError:
            return False
    wait_until(serves, 15, "new connections to be served once descriptors are free")
