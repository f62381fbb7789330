"""TLS termination: certificates chosen by SNI (exact beats wildcard; none ⇒ refused), mTLS, certificates
replaced without restart, and routing by SNI."""

from __future__ import annotations

import socket
import ssl
import subprocess

import pytest

from harness import LOOPBACK, free_port, named_server, recv_line, route, wait_until
from tlsutil import CA, client_context, peer_cn, tls_line_server


def tls_sluice(sluice, tmp_path, gateway: dict):
    """A sluice with one `tls: true` listener (its .tls_port) besides its usual TCP listener."""
    port = free_port()
    sl = sluice(start=False, gateway=gateway)
    text = sl.config_path.read_text()
    sl.config_path.write_text(text.replace("    tcp:\n", f'    tcp:\n      - addr: "{LOOPBACK}:{port}"\n        tls: true\n', 1))
    sl.start()
    sl.tls_port = port
    wait_until(lambda: sl.is_listening(port), 10, "the TLS listener")
    return sl


def ssl_obj(sid: str, pair: tuple[str, str], snis: list[str], **extra) -> dict:
    return {"id": sid, "cert": pair[0], "key": pair[1], "snis": snis, **extra}


def talk(port: int, name: str | None, ctx: ssl.SSLContext, word: str = "ping") -> tuple[str, str]:
    """Handshake with SNI `name`, send a line, return (server cert CN, reply line)."""
    raw = socket.create_connection((LOOPBACK, port), timeout=5)
    with ctx.wrap_socket(raw, server_hostname=name) as s:
        s.sendall(word.encode() + b"\n")
        return peer_cn(s), recv_line(s).decode().strip()


@pytest.fixture
def ca(tmp_path):
    return CA(tmp_path / "pki")


@pytest.mark.time_limit(90)
def test_certificate_by_sni_exact_beats_wildcard_and_none_is_refused(sluice, tmp_path, ca):
    a = named_server("A")
    exact, wild = ca.issue("a.example.com"), ca.issue("*.example.com")
    sl = tls_sluice(sluice, tmp_path, {"stream_routes": [route("1", [a.addr])],
                                        "ssls": [ssl_obj("w", wild, ["*.example.com"]), ssl_obj("e", exact, ["a.example.com"])]})
    ctx = client_context(ca)
    assert talk(sl.tls_port, "a.example.com", ctx) == ("a.example.com", "A:ping")
    assert talk(sl.tls_port, "b.example.com", ctx) == ("*.example.com", "A:ping")
    unverified = client_context(verify=False)
    for name in ("x.y.example.com", "other.org", None):
        with pytest.raises((ssl.SSLError, ConnectionError, OSError)):
            talk(sl.tls_port, name, unverified)
    reasons = [e["close_reason"] for e in sl.wait_log(5)]
    assert reasons.count("no_certificate") == 3


@pytest.mark.time_limit(90)
def test_openssl_s_client_through_a_tls_listener(sluice, tmp_path, ca):
    a = named_server("A")
    sl = tls_sluice(sluice, tmp_path, {"stream_routes": [route("1", [a.addr])],
                                        "ssls": [ssl_obj("e", ca.issue("a.example.com"), ["a.example.com"])]})
    # stdin stays open a moment so the reply can arrive before s_client sees EOF and closes
    cmd = (f"(echo hello; sleep 1) | openssl s_client -connect {LOOPBACK}:{sl.tls_port} -servername a.example.com "
           f"-CAfile {ca.cert_path} -verify_return_error -quiet -no_ign_eof")
    out = subprocess.run(["bash", "-c", cmd], capture_output=True, timeout=15)
    assert b"A:hello" in out.stdout, out.stderr.decode()[-500:]


@pytest.mark.time_limit(90)
def test_mtls_requires_a_client_certificate_from_the_configured_ca(sluice, tmp_path, ca):
    a = named_server("A")
    other = CA(tmp_path / "other", name="other")
    sl = tls_sluice(sluice, tmp_path, {"stream_routes": [route("1", [a.addr])],
                                        "ssls": [ssl_obj("m", ca.issue("m.example.com"), ["m.example.com"],
                                                         client={"ca": ca.cert, "depth": 2})]})
    good = client_context(ca, cert=ca.issue("client-a", client=True), folder=tmp_path)
    assert talk(sl.tls_port, "m.example.com", good)[1] == "A:ping"
    for ctx in (client_context(ca), client_context(ca, cert=other.issue("client-b", client=True), folder=tmp_path / "pki")):
        with pytest.raises((ssl.SSLError, ConnectionError, OSError)):
            reply = talk(sl.tls_port, "m.example.com", ctx)[1]
            # TLS 1.3 clients learn of the refusal only when they read
            assert reply == "A:ping", "served without a valid client certificate"
            raise ConnectionError("no reply")


@pytest.mark.time_limit(90)
def test_certificate_replaced_through_the_admin_api_without_restart(sluice, tmp_path, ca):
    a = named_server("A")
    first, second = ca.issue("a.example.com"), ca.issue("a.example.com", sans=["a.example.com", "alt.example.com"])
    sl = tls_sluice(sluice, tmp_path, {"stream_routes": [route("1", [a.addr])],
                                        "ssls": [ssl_obj("e", first, ["a.example.com"])]})
    ctx = client_context(ca)
    assert talk(sl.tls_port, "a.example.com", ctx)[1] == "A:ping"
    status, _, body = sl.admin("PUT", "/apisix/admin/ssls/e", {"cert": second[0], "key": second[1],
                                                                "snis": ["a.example.com", "alt.example.com"]})
    assert status == 200, body
    assert talk(sl.tls_port, "alt.example.com", ctx) == ("a.example.com", "A:ping")


@pytest.mark.time_limit(90)
def test_routes_by_sni(sluice, tmp_path, ca):
    a, b, c = named_server("A"), named_server("B"), named_server("C")
    wild = ca.issue("*.example.com")
    sl = tls_sluice(sluice, tmp_path, {"stream_routes": [
        {**route("exact", [a.addr]), "sni": "db.example.com"},
        {**route("wild", [b.addr]), "sni": "*.example.com"},
        route("rest", [c.addr]),
    ], "ssls": [ssl_obj("w", wild, ["*.example.com"])]})
    ctx = client_context(ca)
    assert talk(sl.tls_port, "db.example.com", ctx)[1] == "A:ping"
    assert talk(sl.tls_port, "web.example.com", ctx)[1] == "B:ping"


def tls_route(rid: str, node: str, **tls) -> dict:
    return {"id": rid, "upstream": {"scheme": "tls", "tls": tls, "nodes": {node: 1},
                                     "timeout": {"connect": 2, "send": 5, "read": 5}}}


def ask_plain(port: int, word: str = "ping") -> bytes:
    s = socket.create_connection((LOOPBACK, port), timeout=5)
    try:
        s.sendall(word.encode() + b"\n")
        return recv_line(s)
    except EOFError:
        return b""
    finally:
        s.close()


@pytest.mark.time_limit(90)
def test_tls_to_the_upstream_verified_with_the_right_ca_and_refused_with_a_wrong_one(sluice, tmp_path, ca):
    up = tls_line_server("T", ca.issue("up.example.com"), tmp_path / "up")
    other = CA(tmp_path / "other", name="other")
    sl = sluice(listeners=2, start=False)
    p1, p2 = sl.ports
    sl.write_gateway({"stream_routes": [
        {**tls_route("good", up.addr, verify=True, ca=ca.cert, sni="up.example.com"), "server_port": p1},
        {**tls_route("bad", up.addr, verify=True, ca=other.cert, sni="up.example.com"), "server_port": p2},
    ]})
    sl.start()
    assert ask_plain(p1) == b"T:ping\n"
    assert up.server_names[-1] == "up.example.com"
    assert ask_plain(p2) == b""
    bad = sl.wait_log(1, where=lambda e: e["route_id"] == "bad")[0]
    assert bad["status"] == "502" and bad["close_reason"] == "upstream_tls_failed"


@pytest.mark.time_limit(90)
def test_the_clients_sni_is_passed_to_a_tls_upstream(sluice, tmp_path, ca):
    up = tls_line_server("T", ca.issue("*.example.com"), tmp_path / "up")
    sl = tls_sluice(sluice, tmp_path, {"stream_routes": [tls_route("1", up.addr)],
                                        "ssls": [ssl_obj("w", ca.issue("*.example.com"), ["*.example.com"])]})
    assert talk(sl.tls_port, "shop.example.com", client_context(ca))[1] == "T:ping"
    assert up.server_names[-1] == "shop.example.com"


@pytest.mark.time_limit(90)
def test_apisix_doc_sni_example_through_the_admin_api(sluice, tmp_path, ca):
    """APISIX's stream-proxy doc: an ssl object and a stream route by `sni`, created with curl-style PUTs."""
    a = named_server("A")
    cert, key = ca.issue("a.test.com")
    sl = tls_sluice(sluice, tmp_path, {})
    st, _, body = sl.admin("PUT", "/apisix/admin/ssls/1", {"cert": cert, "key": key, "snis": ["a.test.com"]})
    assert st == 201, body
    st, _, body = sl.admin("PUT", "/apisix/admin/stream_routes/1",
                           {"sni": "a.test.com", "upstream": {"nodes": {a.addr: 1}, "type": "roundrobin"}})
    assert st == 201, body
    assert talk(sl.tls_port, "a.test.com", client_context(ca)) == ("a.test.com", "A:ping")
