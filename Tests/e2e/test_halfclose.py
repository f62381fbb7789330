"""Half-close is propagated both ways: a FIN from one side is a FIN on the
other, and the opposite direction keeps flowing."""

import os
import queue
import socket
import struct

from harness import TcpServer, connect, recv_all, recv_exact, route


def test_client_half_closes_then_upstream_replies(sluice):
    def count_then_reply(conn, server):
        n = 0
        while True:
            d = conn.recv(65536)
            if not d:
                break
            n += len(d)
        conn.sendall(b"count=%d\n" % n)

    up = TcpServer(count_then_reply, name="counter")
    sl = sluice(gateway={"stream_routes": [route("1", [up.addr])]})
    s = connect(sl.port, timeout=10)
    payload = os.urandom(300_000)
    s.sendall(payload)
    s.shutdown(socket.SHUT_WR)
    reply = recv_all(s)
    s.close()
    assert reply == b"count=%d\n" % len(payload), \
        f"after the client's FIN the upstream's reply did not arrive intact: {reply[:80]!r}"
    e = sl.wait_log(1)[-1]
    assert e["status"] == "200", e["raw"]


def test_upstream_half_closes_then_client_still_sends(sluice):
    got: "queue.Queue[bytes]" = queue.Queue()

    def greet_close_then_read(conn, server):
        conn.sendall(b"hello from upstream\n")
        conn.shutdown(socket.SHUT_WR)
        buf = bytearray()
        while True:
            d = conn.recv(65536)
            if not d:
                break
            buf += d
        got.put(bytes(buf))

    up = TcpServer(greet_close_then_read, name="half-closer")
    sl = sluice(gateway={"stream_routes": [route("1", [up.addr])]})
    s = connect(sl.port, timeout=10)
    # the upstream's greeting, then its FIN: recv returns b'' ...
    assert recv_all(s) == b"hello from upstream\n"
    # ... but our direction is still open: send after seeing EOF
    late = os.urandom(200_000)
    s.sendall(late)
    s.shutdown(socket.SHUT_WR)
    try:
        received = got.get(timeout=10)
    except queue.Empty:
        raise AssertionError("the upstream never saw the client's FIN / data after its own half-close")
    s.close()
    assert len(received) == len(late) and received == late, \
        f"upstream received {len(received)} of {len(late)} bytes sent after its half-close"
    e = sl.wait_log(1)[-1]
    assert e["status"] == "200", e["raw"]


def test_upstream_that_resets_after_its_fin_ends_the_session(sluice):
    """A FIN then a reset (shutdown, then close with SO_LINGER 0): the upstream is gone both ways, so the session
    ends at once though the client stays connected (the fast path once waited for the client: `read` reports
    the EOF again, not the reset)."""
    def reply_then_reset(conn, server):
        conn.recv(100)
        conn.sendall(b"bye\n")
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.shutdown(socket.SHUT_RDWR)

    up = TcpServer(reply_then_reset, name="resetter")
    sl = sluice(gateway={"stream_routes": [route("1", [up.addr])]})
    s = connect(sl.port, timeout=10)
    s.sendall(b"hi\n")
    assert recv_all(s) == b"bye\n"
    e = sl.wait_log(1, timeout=3)[-1]  # the client has not closed
    assert (e["status"], e["close_reason"]) == ("200", "upstream_closed"), e["raw"]
    s.close()


def test_fin_reaches_upstream_promptly(sluice):
    """The client's FIN must arrive as EOF at the upstream (not only when
    the whole session ends)."""
    seen_eof: "queue.Queue[int]" = queue.Queue()

    def wait_eof(conn, server):
        n = 0
        while True:
            d = conn.recv(65536)
            if not d:
                break
            n += len(d)
        seen_eof.put(n)
        # keep our side open a little while, then reply and close
        conn.sendall(b"bye\n")

    up = TcpServer(wait_eof, name="eof-watcher")
    sl = sluice(gateway={"stream_routes": [route("1", [up.addr])]})
    s = connect(sl.port, timeout=10)
    s.sendall(b"x" * 10)
    s.shutdown(socket.SHUT_WR)
    try:
        n = seen_eof.get(timeout=5)
    except queue.Empty:
        raise AssertionError("upstream did not see EOF within 5 s of the client's shutdown(SHUT_WR)")
    assert n == 10
    assert recv_exact(s, 4) == b"bye\n"
    s.close()
