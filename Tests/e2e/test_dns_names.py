"""Node host names resolved by Sluice's own resolver (`dns_resolver`) against a real dnsmasq: an answer that
changes is followed, a dead DNS server leaves the last good answer in use, and a UDP health check speaks DNS to
dnsmasq itself."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time

import pytest

from harness import LOOPBACK, ask_new, free_port, named_server, register_closer, wait_until


def _dnsmasq_exe() -> str:
    exe = shutil.which("dnsmasq") or "/usr/sbin/dnsmasq"
    if not os.path.exists(exe):
        msg = "dnsmasq not installed (scripts/install-test-deps.sh)"
        if os.environ.get("CI"):
            pytest.fail(msg, pytrace=False)
        pytest.skip(msg)
    return exe


class Dnsmasq:
    """A private dnsmasq on a loopback port answering from a hosts file with a 1 s TTL; `point` rewrites the
    file and SIGHUPs it, `stop` kills it."""

    def __init__(self, tmp_path, names: dict[str, str]):
        self.exe = _dnsmasq_exe()
        self.port = free_port()
        self.hosts = tmp_path / "dns-hosts"
        self.point(names, reload=False)
        self.proc = subprocess.Popen(
            [self.exe, "--keep-in-foreground", "--no-resolv", "--no-hosts", f"--addn-hosts={self.hosts}",
             "--local-ttl=1", "--local=/test/", f"--listen-address={LOOPBACK}", "--bind-interfaces", f"--port={self.port}",
             "--user=root", "--pid-file=", "--log-facility=-"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        register_closer(self.stop)
        self._wait_until_answering()

    def _wait_until_answering(self, timeout: float = 10.0) -> None:
        """Blocks until dnsmasq answers a real query: on a loaded machine it can take longer to bind than
        Sluice's first lookup waits (`resolver_timeout`), which would fail the test's first connection."""
        query = bytes.fromhex("abcd01000001000000000000") + b"\x05probe\x04test\x00" + bytes.fromhex("00010001")
        deadline = time.monotonic() + timeout
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(0.2)
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"dnsmasq exited with {self.proc.returncode}")
                s.sendto(query, (LOOPBACK, self.port))
                try:
                    if s.recv(512)[:2] == query[:2]:
                        return
                except OSError:
                    time.sleep(0.05)
        raise TimeoutError(f"dnsmasq on port {self.port} did not answer within {timeout} s")

    def point(self, names: dict[str, str], reload: bool = True) -> None:
        self.hosts.write_text("".join(f"{ip} {name}\n" for name, ip in names.items()))
        if reload:
            self.proc.send_signal(signal.SIGHUP)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def _with_resolver(sluice, dns: Dnsmasq, gateway: dict, valid: float | None = None):
    sl = sluice(start=False, gateway=gateway)
    extra = f'  dns_resolver: ["{LOOPBACK}:{dns.port}"]\n  resolver_timeout: 0.5\n'
    if valid is not None:
        extra += f"  dns_resolver_valid: {valid}\n"
    sl.config_path.write_text(sl.config_path.read_text() + extra)
    return sl.start()


@pytest.mark.time_limit(60)
def test_a_name_whose_answer_changes_is_followed_and_logged(sluice, tmp_path):
    port = free_port()
    a = named_server("A", host="127.0.0.2", port=port)
    b = named_server("B", host="127.0.0.3", port=port)
    dns = Dnsmasq(tmp_path, {"db.test": "127.0.0.2"})
    sl = _with_resolver(sluice, dns, {"stream_routes": [
        {"id": "1", "upstream": {"type": "roundrobin", "nodes": {f"db.test:{port}": 1}}}]})
    assert ask_new(sl.port) == "A:ping"
    wait_until(lambda: "Node name resolved" in sl.output(), 5, "the first answer to be logged")
    dns.point({"db.test": "127.0.0.3"})
    wait_until(lambda: ask_new(sl.port) == "B:ping", 8, "connections to follow the new answer")
    line = [l for l in sl.output().splitlines() if "Node address changed" in l][-1]
    assert "db.test" in line and "127.0.0.2" in line and "127.0.0.3" in line, line
    assert a.accepted >= 1 and b.accepted >= 1


@pytest.mark.time_limit(60)
def test_the_last_good_answer_is_kept_when_dns_dies(sluice, tmp_path):
    port = free_port()
    named_server("A", host="127.0.0.2", port=port)
    dns = Dnsmasq(tmp_path, {"db.test": "127.0.0.2"})
    sl = _with_resolver(sluice, dns, {"stream_routes": [
        {"id": "1", "upstream": {"type": "roundrobin", "nodes": {f"db.test:{port}": 1}}}]}, valid=1)
    assert ask_new(sl.port) == "A:ping"
    dns.stop()
    wait_until(lambda: "keeping the last good answer" in sl.output(), 8, "the failed lookup to be logged")
    for _ in range(20):
        assert ask_new(sl.port) == "A:ping"
    assert sl.alive()


@pytest.mark.time_limit(60)
def test_a_name_that_never_resolves_fails_its_connects_and_says_why(sluice, tmp_path):
    good = named_server("G")
    dns = Dnsmasq(tmp_path, {"other.test": "127.0.0.2"})
    sl = _with_resolver(sluice, dns, {"stream_routes": [
        {"id": "1", "upstream": {"type": "roundrobin", "retries": 1,
                                 "nodes": {"nope.test:1": 1000, good.addr: 1}}}]})
    # The unresolvable node is tried first (weight), fails at once, and the retry reaches the good one.
    for _ in range(5):
        assert ask_new(sl.port) == "G:ping"
    line = [l for l in sl.output().splitlines() if "Node name lookup failed" in l][0]
    assert "nope.test" in line and "NXDOMAIN" in line, line


@pytest.mark.time_limit(60)
def test_a_udp_health_check_speaks_dns_to_dnsmasq(sluice, tmp_path):
    dns = Dnsmasq(tmp_path, {"bench.test": "10.1.2.3"})
    closed = free_port()
    # A DNS query for bench.test A with id "AB"; the reply starts with the same id.
    query = "AB\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x05bench\x04test\x00\x00\x01\x00\x01"
    checks = {"active": {"type": "udp", "send": query, "expect": "AB", "timeout": 0.5,
                         "healthy": {"interval": 1, "successes": 1},
                         "unhealthy": {"interval": 1, "tcp_failures": 1, "timeouts": 2}}}
    live, dead = f"{LOOPBACK}:{dns.port}", f"{LOOPBACK}:{closed}"
    sl = sluice(gateway={"upstreams": [{"id": "dns", "scheme": "udp", "checks": checks,
                                        "nodes": [{"host": LOOPBACK, "port": dns.port, "weight": 1},
                                                  {"host": LOOPBACK, "port": closed, "weight": 1}]}],
                         "stream_routes": []})

    def states():
        _, _, body = sl.admin("GET", "/v1/healthcheck/upstreams/dns")
        return {f"{n['ip']}:{n['port']}": n["status"] for n in body.get("nodes", [])}
    wait_until(lambda: states() == {live: "healthy", dead: "unhealthy"}, 10,
               f"dnsmasq healthy and the closed port unhealthy (now {states()})")
    dns.stop()
    wait_until(lambda: states().get(live) == "unhealthy", 10, "a stopped dnsmasq to be marked unhealthy")
