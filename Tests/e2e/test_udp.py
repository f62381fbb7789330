"""UDP listeners: a session per client with its own upstream socket, replies to the right client,
idle expiry, the session cap, large datagrams, and real DNS through dnsmasq."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time

import pytest

from harness import LOOPBACK, free_port, register_closer, wait_until


class UdpNamedEcho:
    """Replies to each datagram with `name:` + the datagram, from one socket."""

    def __init__(self, name: str = "U"):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((LOOPBACK, 0))
        self.port = self.sock.getsockname()[1]
        self.addr = f"{LOOPBACK}:{self.port}"
        self.name = name.encode()
        self.peers: set = set()
        self._stop = False
        threading.Thread(target=self._run, daemon=True).start()
        register_closer(self.close)

    def _run(self):
        self.sock.settimeout(0.2)
        while not self._stop:
            try:
                data, peer = self.sock.recvfrom(65535)
            except (socket.timeout, OSError):
                continue
            self.peers.add(peer)
            try:
                self.sock.sendto(self.name + b":" + data if len(data) < 60000 else data, peer)
            except OSError:
                pass

    def close(self):
        self._stop = True
        self.sock.close()


def udp_sluice(sluice, routes: list[dict], *, session_limit: int | None = None):
    """A sluice with one UDP listener (and its usual TCP one) and the given routes."""
    port = free_port()
    sl = sluice(start=False, gateway={"stream_routes": routes})
    text = sl.config_path.read_text()
    extra = f'    udp:\n      - "{LOOPBACK}:{port}"\n'
    if session_limit:
        extra += f"    udp_session_limit: {session_limit}\n"
    sl.config_path.write_text(text.replace("  admin:\n", extra + "  admin:\n", 1))
    sl.start()
    sl.udp_port = port
    return sl


def ask_udp(port: int, payload: bytes, *, sock: socket.socket | None = None, timeout: float = 3.0) -> bytes:
    s = sock or socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    try:
        s.sendto(payload, (LOOPBACK, port))
        return s.recvfrom(65535)[0]
    finally:
        if sock is None:
            s.close()


def udp_route(rid: str, node: str, read: float | None = None) -> dict:
    up = {"type": "roundrobin", "nodes": {node: 1}}
    if read is not None:
        up["timeout"] = {"connect": 1, "send": read, "read": read}
    return {"id": rid, "upstream": up}


@pytest.mark.time_limit(60)
def test_udp_replies_reach_the_right_client_among_50(sluice):
    up = UdpNamedEcho()
    sl = udp_sluice(sluice, [udp_route("u", up.addr)])
    clients = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(50)]
    for c in clients:
        c.bind((LOOPBACK, 0))
        c.settimeout(3)
    wrong = 0
    for round_ in range(20):
        for i, c in enumerate(clients):
            c.sendto(f"{i}:{round_}".encode(), (LOOPBACK, sl.udp_port))
        for i, c in enumerate(clients):
            if c.recvfrom(65535)[0] != f"U:{i}:{round_}".encode():
                wrong += 1
    for c in clients:
        c.close()
    assert wrong == 0
    # one upstream socket per client session
    assert len(up.peers) == 50


@pytest.mark.time_limit(60)
def test_udp_60k_datagram_passes_intact(sluice):
    up = UdpNamedEcho()
    sl = udp_sluice(sluice, [udp_route("u", up.addr)])
    payload = os.urandom(60 * 1024)
    assert ask_udp(sl.udp_port, payload) == payload


@pytest.mark.time_limit(60)
def test_udp_session_idle_expiry_is_logged(sluice):
    up = UdpNamedEcho()
    sl = udp_sluice(sluice, [udp_route("u", up.addr, read=1)])
    assert ask_udp(sl.udp_port, b"hi") == b"U:hi"
    entries = sl.wait_log(1, timeout=5, where=lambda e: e["close_reason"] == "idle_timeout")
    e = entries[0]
    assert e["status"] == "200" and e["route_id"] == "u"
    assert e["bytes_received"] == "2" and e["bytes_sent"] == "4"


@pytest.mark.time_limit(60)
def test_udp_session_cap_drops_new_clients_only(sluice):
    up = UdpNamedEcho()
    sl = udp_sluice(sluice, [udp_route("u", up.addr)], session_limit=2)
    a, b, c = (socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(3))
    try:
        assert ask_udp(sl.udp_port, b"a", sock=a) == b"U:a"
        assert ask_udp(sl.udp_port, b"b", sock=b) == b"U:b"
        with pytest.raises(socket.timeout):
            ask_udp(sl.udp_port, b"c", sock=c, timeout=1)
        # the existing sessions are unaffected
        assert ask_udp(sl.udp_port, b"a2", sock=a) == b"U:a2"
        assert ask_udp(sl.udp_port, b"b2", sock=b) == b"U:b2"
    finally:
        for s in (a, b, c):
            s.close()


@pytest.mark.time_limit(60)
def test_dns_through_dnsmasq_with_dig(sluice, tmp_path):
    dnsmasq, dig = shutil.which("dnsmasq") or "/usr/sbin/dnsmasq", shutil.which("dig")
    if not (os.path.exists(dnsmasq) and dig):
        msg = "dnsmasq/dig not installed (scripts/install-test-deps.sh)"
        if os.environ.get("CI"):
            pytest.fail(msg, pytrace=False)
        pytest.skip(msg)
    dns_port = free_port()
    hosts = tmp_path / "hosts"
    hosts.write_text("10.1.2.3 bench.test\n")
    proc = subprocess.Popen([dnsmasq, "--keep-in-foreground", "--no-resolv", "--no-hosts", "--no-daemon",
                             f"--addn-hosts={hosts}", f"--listen-address={LOOPBACK}", "--bind-interfaces",
                             f"--port={dns_port}", "--user=root", "--pid-file=", "--log-facility=-"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    register_closer(proc.kill)
    sl = udp_sluice(sluice, [udp_route("dns", f"{LOOPBACK}:{dns_port}")])

    def answer():
        out = subprocess.run([dig, "+short", "+time=1", "+tries=1", "-p", str(sl.udp_port), f"@{LOOPBACK}",
                              "bench.test"], capture_output=True, text=True, timeout=5).stdout.strip()
        return out == "10.1.2.3"
    wait_until(answer, 10, "dig through sluice to answer bench.test")
    proc.kill()


@pytest.mark.time_limit(60)
def test_proxy_responses_ends_a_session_after_the_expected_replies(sluice):
    up = UdpNamedEcho()
    port = free_port()
    sl = sluice(start=False, gateway={"stream_routes": [udp_route("u", up.addr)]})
    text = sl.config_path.read_text()
    extra = f'    udp:\n      - addr: "{LOOPBACK}:{port}"\n        proxy_responses: 1\n'
    sl.config_path.write_text(text.replace("  admin:\n", extra + "  admin:\n", 1))
    sl.start()
    c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        for i in range(3):
            assert ask_udp(port, f"q{i}".encode(), sock=c) == f"U:q{i}".encode()
    finally:
        c.close()
    entries = sl.wait_log(3, where=lambda e: e["close_reason"] == "responses_received")
    assert all(e["bytes_received"] == "2" for e in entries)


@pytest.mark.time_limit(60)
def test_udp_bursts_pass_whole_and_in_order(sluice):
    """Bursts from one client arrive at Sluice many per read (recvmmsg) and leave for the node many per sendmmsg;
    the node's replies come back many per wake-up and are relayed with one flush. Every datagram and reply must
    pass, in order."""
    up = UdpNamedEcho()
    sl = udp_sluice(sluice, [udp_route("u", up.addr)])
    c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    c.settimeout(3)
    ask_udp(sl.udp_port, b"hello", sock=c)  # the session and its upstream socket exist before the bursts
    received = []
    try:
        for burst in range(20):
            for i in range(100):
                c.sendto(f"{burst}:{i}".encode(), (LOOPBACK, sl.udp_port))
            for _ in range(100):
                received.append(c.recvfrom(65535)[0])
    finally:
        c.close()
    assert received == [f"U:{b}:{i}".encode() for b in range(20) for i in range(100)]
    assert len(up.peers) == 1
