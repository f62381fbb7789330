"""PROXY protocol in (v1, v2; trusted or not by real_ip_from; garbage) and out (send v1/v2 to the node),
and TLS passthrough routed on the ClientHello's SNI."""

from __future__ import annotations

import socket
import struct

import pytest

from harness import LOOPBACK, TcpServer, connect, free_port, named_server, recv_exact, recv_line, route, wait_closed, wait_until
from tlsutil import CA, client_context, peer_cn, tls_line_server


def listener_sluice(sluice, gateway: dict, *, option: str, real_ip_from: str | None = None):
    """A sluice whose extra listener (.extra_port) has `option: true`."""
    port = free_port()
    sl = sluice(start=False, gateway=gateway)
    text = sl.config_path.read_text()
    extra = f'      - addr: "{LOOPBACK}:{port}"\n        {option}: true\n'
    if real_ip_from:
        extra_sp = f'    real_ip_from: ["{real_ip_from}"]\n'
        text = text.replace("  admin:\n", extra_sp + "  admin:\n", 1)
    sl.config_path.write_text(text.replace("    tcp:\n", "    tcp:\n" + extra, 1))
    sl.start()
    sl.extra_port = port
    wait_until(lambda: sl.is_listening(port), 10, "the extra listener")
    return sl


def v2_header(src: str, sport: int, dst: str, dport: int) -> bytes:
    sig = b"\r\n\r\n\x00\r\nQUIT\n"
    addrs = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!HH", sport, dport)
    return sig + bytes([0x21, 0x11]) + struct.pack("!H", len(addrs)) + addrs


def ask_with_prefix(port: int, prefix: bytes, word: str = "ping") -> str:
    s = connect(port, timeout=5)
    try:
        s.sendall(prefix + word.encode() + b"\n")
        return recv_line(s).decode().strip()
    finally:
        s.close()


ROUTES = lambda a, b: {"stream_routes": [{**route("claimed", [a.addr]), "remote_addr": "127.0.0.9"},
                                          route("rest", [b.addr])]}


@pytest.mark.time_limit(60)
@pytest.mark.parametrize("version", ["v1", "v2"])
def test_trusted_proxy_header_sets_the_client_address(sluice, version):
    a, b = named_server("A"), named_server("B")
    sl = listener_sluice(sluice, ROUTES(a, b), option="proxy_protocol", real_ip_from="127.0.0.0/8")
    header = (b"PROXY TCP4 127.0.0.9 127.0.0.1 40000 9000\r\n" if version == "v1"
              else v2_header("127.0.0.9", 40000, "127.0.0.1", 9000))
    assert ask_with_prefix(sl.extra_port, header) == "A:ping"
    e = sl.wait_log(1)[-1]
    assert e["remote_addr"] == "127.0.0.9" and e["route_id"] == "claimed", e["raw"]


@pytest.mark.time_limit(60)
def test_untrusted_proxy_header_is_not_believed(sluice):
    a, b = named_server("A"), named_server("B")
    sl = listener_sluice(sluice, ROUTES(a, b), option="proxy_protocol", real_ip_from="10.0.0.0/8")
    assert ask_with_prefix(sl.extra_port, b"PROXY TCP4 127.0.0.9 127.0.0.1 40000 9000\r\n") == "B:ping"
    assert sl.wait_log(1)[-1]["remote_addr"] == "127.0.0.1"


@pytest.mark.time_limit(60)
@pytest.mark.parametrize("garbage", [b"GET / HTTP/1.1\r\n\r\n", b"PROXY TCP4 1.2.3 4.5.6.7 1 2\r\n",
                                     b"\r\n\r\n\x00\r\nQUIT\n\x21\x11\xff\xff"])
def test_garbage_proxy_header_is_closed_and_logged(sluice, garbage):
    a, b = named_server("A"), named_server("B")
    sl = listener_sluice(sluice, ROUTES(a, b), option="proxy_protocol", real_ip_from="127.0.0.0/8")
    s = connect(sl.extra_port, timeout=5)
    s.sendall(garbage)
    data, took = wait_closed(s, 5)
    assert data == b"" and took < 3
    assert sl.wait_log(1)[-1]["close_reason"] == "bad_proxy_header"
    # another client on the same listener is unaffected
    assert ask_with_prefix(sl.extra_port, b"PROXY TCP4 127.0.0.9 127.0.0.1 40000 9000\r\n") == "A:ping"


def proxy_header_echo():
    """An upstream that reads a PROXY v1 or v2 header and answers `SRC <ip> <port> | <line>`."""
    def handler(conn, server):
        first = conn.recv(16, socket.MSG_PEEK)
        if first.startswith(b"PROXY "):
            parts = recv_line(conn).decode().split()
            src = f"{parts[2]} {parts[4]}"
        else:
            head = recv_exact(conn, 16)
            (length,) = struct.unpack("!H", head[14:16])
            body = recv_exact(conn, length)
            src = f"{socket.inet_ntoa(body[0:4])} {struct.unpack('!H', body[8:10])[0]}"
        conn.sendall(f"SRC {src} | {recv_line(conn).decode().strip()}\n".encode())
    return TcpServer(handler, name="proxy-header-echo")


@pytest.mark.time_limit(60)
@pytest.mark.parametrize("version", ["v1", "v2"])
def test_proxy_header_sent_to_the_node(sluice, version):
    up = proxy_header_echo()
    sl = sluice(gateway={"stream_routes": [{"id": "1", "upstream": {"proxy_protocol": version,
                                                                    "nodes": {up.addr: 1}}}]})
    s = connect(sl.port, timeout=5)
    s.sendall(b"hello\n")
    reply = recv_line(s).decode().strip()
    port = s.getsockname()[1]
    s.close()
    assert reply == f"SRC 127.0.0.1 {port} | hello"


# -- TLS passthrough -----------------------------------------------------------------------------------------

@pytest.mark.time_limit(90)
def test_tls_passthrough_routes_on_sni_and_the_client_sees_the_upstreams_certificate(sluice, tmp_path):
    ca = CA(tmp_path / "pki")
    db = tls_line_server("DB", ca.issue("db.example.com"), tmp_path / "db")
    web = tls_line_server("WEB", ca.issue("web.example.com"), tmp_path / "web")
    sl = listener_sluice(sluice, {"stream_routes": [{**route("db", [db.addr]), "sni": "db.example.com"},
                                                     {**route("web", [web.addr]), "sni": "*.example.com"}]},
                         option="tls_passthrough")
    ctx = client_context(ca)
    for name, cn, expect in (("db.example.com", "db.example.com", "DB:hi"), ("web.example.com", "web.example.com", "WEB:hi")):
        raw = socket.create_connection((LOOPBACK, sl.extra_port), timeout=5)
        with ctx.wrap_socket(raw, server_hostname=name) as s:
            assert peer_cn(s) == cn
            s.sendall(b"hi\n")
            assert recv_line(s).decode().strip() == expect
    entries = sl.wait_log(2)
    assert {e["route_id"] for e in entries} == {"db", "web"}


@pytest.mark.time_limit(60)
@pytest.mark.parametrize("garbage", [b"hello there\n", b"\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00",
                                     b"\x16\x03\x01\xff\xff"])
def test_malformed_or_truncated_client_hello_closes_with_a_reason(sluice, garbage):
    a = named_server("A")
    sl = listener_sluice(sluice, {"stream_routes": [route("1", [a.addr])]}, option="tls_passthrough")
    s = connect(sl.extra_port, timeout=5)
    s.sendall(garbage)
    if garbage.endswith(b"\xff\xff"):
        s.shutdown(socket.SHUT_WR)  # truncated: the client gives up mid-record
    data, took = wait_closed(s, 5)
    assert data == b"" and took < 3
    assert sl.wait_log(1)[-1]["close_reason"] == "bad_client_hello"
