"""`sluice import nginx` end to end: the real nginx runs a stream configuration, then Sluice runs what the import
made of it, on the same loopback ports, and the same clients (redis-cli, the mariadb client, dig, openssl s_client,
a line client) must get the same answers through both — allow/deny, limit_conn, proxy_download_rate,
proxy_socket_keepalive, max_conns, a server's own access_log (and access_log off) and a regular-expression SNI map key
included."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

import tlsutil
from harness import (LOOPBACK, TcpServer, ask, ask_new, connect, free_port, named_server, recv_exact, register_closer,
                     register_process, wait_until)

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
STREAM_MODULE = "/usr/lib/nginx/modules/ngx_stream_module.so"


def _need(*tools: str) -> None:
    missing = [t for t in tools if not (os.path.exists(t) or shutil.which(t))]
    if missing:
        msg = f"{', '.join(missing)} not installed (scripts/install-test-deps.sh)"
        if os.environ.get("CI"):
            pytest.fail(msg, pytrace=False)
        pytest.skip(msg)


def _tcp_listening(port: int) -> bool:
    with open("/proc/net/tcp") as f:
        next(f)
        return any(p[3] == "0A" and int(p[1].rsplit(":", 1)[1], 16) == port for p in (line.split() for line in f))


def _keepalive_timers(port: int) -> list[bool]:
    """For each established socket whose peer is loopback `port` (the gateway's side of a connection to that
    backend): whether its keepalive timer runs (`tr` 2 in /proc/net/tcp, what `ss -o` shows as
    `timer:(keepalive,…)`), i.e. whether SO_KEEPALIVE is set on it."""
    with open("/proc/net/tcp") as f:
        next(f)
        rows = [line.split() for line in f]
    return [p[5].split(":")[0] == "02" for p in rows if p[3] == "01" and int(p[2].rsplit(":", 1)[1], 16) == port]


def _run(args: list[str], stdin: str = "", timeout: float = 10) -> str:
    return subprocess.run(args, input=stdin, capture_output=True, text=True, timeout=timeout).stdout.strip()


class MariaDB:
    """A private mariadbd on a loopback port (its own data folder, no grant tables: any client may connect)."""

    def __init__(self, folder: Path):
        data = folder / "mysql"
        setup = subprocess.run(["mariadb-install-db", "--no-defaults", f"--datadir={data}", "--user=root",
                                "--auth-root-authentication-method=normal", "--skip-test-db"],
                               capture_output=True, text=True, timeout=120)
        assert setup.returncode == 0, setup.stdout + setup.stderr
        self.port = free_port()
        self.addr = f"{LOOPBACK}:{self.port}"
        self.proc = subprocess.Popen(
            ["mariadbd", "--no-defaults", f"--datadir={data}", f"--port={self.port}", f"--bind-address={LOOPBACK}",
             f"--socket={folder}/mysql.sock", "--user=root", "--skip-grant-tables", f"--pid-file={folder}/mysql.pid",
             f"--log-error={folder}/mysql.err", "--innodb-buffer-pool-size=16M"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        register_process(self.proc)
        wait_until(lambda: self.proc.poll() is None and query(self.port) != "", 30, f"mariadbd on {self.addr}")


def query(port: int) -> str:
    return _run(["mariadb", "--no-defaults", "-h", LOOPBACK, "-P", str(port), "-u", "root", "-N", "-e",
                 "SELECT @@port, 6*7"])


class Backends:
    """Everything behind the gateway: two line servers (the RDP-style pool), redis, a MariaDB pool (one server, a
    node marked down and a backup, both with nothing listening), dnsmasq, two TLS servers, a line server behind
    allow/deny and limit_conn, a pusher behind proxy_download_rate, a line server behind proxy_socket_keepalive and
    two behind max_conns=1."""

    def __init__(self, folder: Path, redis):
        self.rdp = [named_server("rdp1"), named_server("rdp2")]
        self.lines = named_server("lines")
        self.keep = named_server("keep")
        self.capped = [named_server("cap1"), named_server("cap2")]
        self.pusher = TcpServer(_push, name="pusher")
        self.mariadb_down = f"{LOOPBACK}:{free_port()}"
        self.redis = redis
        self.mariadb = MariaDB(folder)
        self.mariadb_backup = f"{LOOPBACK}:{free_port()}"
        self.dns_port = free_port()
        hosts = folder / "hosts"
        hosts.write_text("10.1.2.3 app.test\n")
        self.dnsmasq = subprocess.Popen(
            ["dnsmasq", "--keep-in-foreground", "--no-resolv", "--no-hosts", f"--addn-hosts={hosts}",
             f"--listen-address={LOOPBACK}", "--bind-interfaces", f"--port={self.dns_port}", "--user=root",
             "--pid-file=", "--log-facility=-"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        register_process(self.dnsmasq)
        ca = tlsutil.CA(folder / "ca")
        self.tls = {name: tlsutil.tls_line_server(name, ca.issue(f"{name}.example.test"), folder / name)
                    for name in ("a", "b")}


def _push(conn, server) -> None:
    """Sends far more than a client reads, as fast as the connection takes it."""
    chunk = b"x" * 65536
    for _ in range(1024):
        conn.sendall(chunk)


def _nginx_conf(folder: Path, b: Backends, ports: dict[str, int]) -> str:
    r1, r2 = (s.addr for s in b.rdp)
    return f"""
load_module {STREAM_MODULE};
daemon off;
master_process off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log;
events {{ worker_connections 256; }}

stream {{
    log_format basic '$remote_addr $protocol $status $bytes_sent $bytes_received "$upstream_addr"';
    access_log {folder}/access.log basic;

    upstream rdp {{
        hash $remote_addr consistent;
        server {r1} max_fails=3 fail_timeout=30s;
        server {r2} max_fails=3 fail_timeout=30s;
    }}
    upstream cache {{
        server {b.redis.addr};
    }}
    upstream mysql {{
        least_conn;
        server {b.mariadb.addr} weight=2 max_fails=2 fail_timeout=10s;
        server {b.mariadb_down} down;
        server {b.mariadb_backup} backup;
    }}
    upstream lines {{
        server {b.lines.addr};
    }}
    upstream capped {{
        server {b.capped[0].addr} max_conns=1;
        server {b.capped[1].addr} max_conns=1;
    }}
    limit_conn_zone $binary_remote_addr zone=perip:1m;
    map $ssl_preread_server_name $tls_backend {{
        hostnames;
        a.example.test {b.tls['a'].addr};
        b.example.test {b.tls['b'].addr};
        ~^.*\\.wild\\.test$ {b.tls['a'].addr};
    }}

    server {{ listen {LOOPBACK}:{ports['rdp']}; proxy_connect_timeout 5s; proxy_pass rdp; }}
    server {{ listen {LOOPBACK}:{ports['redis']}; proxy_timeout 5m; proxy_pass cache; }}
    server {{ listen {LOOPBACK}:{ports['mysql']}; proxy_connect_timeout 2s; proxy_pass mysql; }}
    server {{ listen {LOOPBACK}:{ports['dns']} udp; proxy_responses 1; proxy_timeout 5s;
              proxy_pass {LOOPBACK}:{b.dns_port}; }}
    server {{ listen {LOOPBACK}:{ports['sni']}; ssl_preread on; proxy_pass $tls_backend; }}
    server {{ listen {LOOPBACK}:{ports['acl']}; allow 127.0.0.1; deny all; proxy_pass lines; }}
    server {{ listen {LOOPBACK}:{ports['limit']}; limit_conn perip 1; proxy_pass lines; }}
    server {{ listen {LOOPBACK}:{ports['rate']}; proxy_download_rate 64k; proxy_pass {b.pusher.addr}; }}
    server {{ listen {LOOPBACK}:{ports['keep']}; proxy_socket_keepalive on; access_log {folder}/keep.log basic;
              proxy_pass {b.keep.addr}; }}
    server {{ listen {LOOPBACK}:{ports['capped']}; access_log off; proxy_pass capped; }}
}}
"""


def _answers(ports: dict[str, int], b: Backends) -> dict:
    """What the clients get through whatever gateway listens on `ports` now."""
    out: dict = {}
    for source in ("127.0.0.1", "127.0.0.2"):
        out[f"rdp from {source}"] = {ask_new(ports["rdp"], "hello", source=source).split(":")[0] for _ in range(4)}
    cli = ["redis-cli", "-h", LOOPBACK, "-p", str(ports["redis"])]
    out["redis ping"] = _run(cli + ["ping"])
    out["redis set"] = _run(cli + ["set", "import:key", "value-1"])
    out["redis get"] = _run(cli + ["get", "import:key"])
    out["mysql"] = query(ports["mysql"])
    out["dig"] = _run(["dig", "+short", "+time=2", "+tries=2", "-p", str(ports["dns"]), f"@{LOOPBACK}", "app.test"])
    for name, server_name in (("a", "a.example.test"), ("b", "b.example.test"), ("wild", "x.y.wild.test")):
        out[f"sni {name}"] = _run(["openssl", "s_client", "-connect", f"{LOOPBACK}:{ports['sni']}", "-servername",
                                   server_name, "-quiet", "-verify_quiet"], stdin="hello\n")
    for source in ("127.0.0.1", "127.0.0.2"):
        out[f"acl from {source}"] = _refused_or(lambda: ask_new(ports["acl"], "hi", source=source))
    held = connect(ports["limit"])
    out["limit first"] = ask(held, "one")
    out["limit second"] = _refused_or(lambda: ask_new(ports["limit"], "two"))
    # Without proxy_socket_keepalive the connection to the node has no keepalive timer; with it, it has one.
    timers = _keepalive_timers(b.lines.port)
    out["no keepalive"] = bool(timers) and not any(timers)
    held.close()
    kept = connect(ports["keep"])
    out["keepalive answer"] = ask(kept, "k")
    out["keepalive"] = wait_until(lambda: _keepalive_timers(b.keep.port) == [True], 5,
                                  "a keepalive timer on the connection to the node")
    kept.close()
    # max_conns=1 on both nodes: two connections take one each, a third finds no node with room and is closed.
    first, second = connect(ports["capped"]), connect(ports["capped"])
    out["capped held"] = sorted(ask(s, "x").split(":")[0] for s in (first, second))
    out["capped third"] = _refused_or(lambda: ask_new(ports["capped"], "three"))
    first.close()
    wait_until(lambda: _refused_or(lambda: ask_new(ports["capped"], "four")) != "refused", 10, "a freed place")
    second.close()
    # The slot frees when the first connection ends (nginx and Sluice notice the close a moment later).
    wait_until(lambda: _refused_or(lambda: ask_new(ports["limit"], "three")) == "lines:three", 10, "a freed slot")
    t0 = time.monotonic()
    s = connect(ports["rate"], timeout=30)
    recv_exact(s, 256 * 1024)
    took = time.monotonic() - t0
    s.close()
    # 256 KiB at 64 KiB/s: nginx lets the first second's worth through at once (≈3 s), Sluice paces from the start
    # (≈4 s); unlimited it would take milliseconds.
    out["rate limited"] = 2.0 <= took <= 6.0 or took
    return out


def _expect_not_logged(main_log: str, b: Backends) -> None:
    """The servers with their own access_log (or access_log off) left nothing in the main log."""
    for addr in [b.keep.addr] + [s.addr for s in b.capped]:
        assert addr not in main_log, f"{addr} in the main access log:\n{main_log}"


def _refused_or(answer) -> str:
    """The answer, or "refused" when the gateway closes the connection without one."""
    try:
        return answer() or "refused"
    except (OSError, EOFError):
        return "refused"


@pytest.mark.time_limit(180)
def test_nginx_and_the_imported_sluice_answer_alike(sluice, sluice_bin, redis_server, tmp_path):
    _need(NGINX, STREAM_MODULE, "redis-cli", "dig", "dnsmasq", "openssl", "mariadbd", "mariadb-install-db")
    b = Backends(tmp_path, redis_server)
    ports = {name: free_port() for name in ("rdp", "redis", "mysql", "dns", "sni", "acl", "limit", "rate", "keep",
                                            "capped")}
    conf = tmp_path / "nginx.conf"
    conf.write_text(_nginx_conf(tmp_path, b, ports))
    check = subprocess.run([NGINX, "-t", "-p", str(tmp_path), "-c", str(conf)], capture_output=True, text=True,
                           timeout=30)
    assert check.returncode == 0, check.stderr

    nginx = subprocess.Popen([NGINX, "-p", str(tmp_path), "-c", str(conf)], stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    register_process(nginx)
    tcp_ports = [ports[name] for name in ("rdp", "redis", "mysql", "sni", "acl", "limit", "rate", "keep", "capped")]
    wait_until(lambda: nginx.poll() is None and all(_tcp_listening(p) for p in tcp_ports), 15, "nginx to listen")
    through_nginx = _answers(ports, b)
    nginx.send_signal(signal.SIGTERM)
    nginx.wait(timeout=10)
    main_log, keep_log = tmp_path / "access.log", tmp_path / "keep.log"
    nginx_log_lines = len(main_log.read_text().splitlines())
    nginx_keep_lines = len(keep_log.read_text().splitlines())
    # The keepalive server's sessions go to its own log only; the capped server (access_log off) logs nowhere.
    assert nginx_keep_lines == 1 and b.keep.addr in keep_log.read_text()
    _expect_not_logged(main_log.read_text(), b)

    # What nginx gave is what it should give; then Sluice must give the same.
    assert through_nginx["redis ping"] == "PONG" and through_nginx["redis get"] == "value-1"
    assert through_nginx["dig"] == "10.1.2.3"
    assert through_nginx["mysql"] == f"{b.mariadb.port}\t42"
    assert through_nginx["sni a"] == "a:hello" and through_nginx["sni b"] == "b:hello"
    assert through_nginx["sni wild"] == "a:hello"
    assert (through_nginx["acl from 127.0.0.1"], through_nginx["acl from 127.0.0.2"]) == ("lines:hi", "refused")
    assert (through_nginx["limit first"], through_nginx["limit second"]) == ("lines:one", "refused")
    assert through_nginx["rate limited"] is True, f"nginx took {through_nginx['rate limited']} s"
    assert through_nginx["no keepalive"] is True and through_nginx["keepalive answer"] == "keep:k"
    assert (through_nginx["capped held"], through_nginx["capped third"]) == (["cap1", "cap2"], "refused")
    for source in ("127.0.0.1", "127.0.0.2"):
        assert len(through_nginx[f"rdp from {source}"]) == 1, "nginx's hash is not sticky?"

    sl = sluice(start=False, name="imported", ports=[], access_log=False)
    imp = subprocess.run([sluice_bin, "import", "nginx", str(conf), "--out", str(sl.dir), "--force"],
                         capture_output=True, text=True, timeout=30)
    assert imp.returncode == 0, imp.stdout + imp.stderr
    for gone in ("max_fails", "fail_timeout", "allow", "deny", "limit_conn", "proxy_download_rate", "down",
                 "proxy_socket_keepalive", "max_conns", "access_log", "~^"):
        assert f"not translated: {gone}" not in imp.stdout, imp.stdout
    gateway = sl.data_path.read_text()
    for written in ("max_fails: 3", "fail_timeout: 30", "state: maint", "priority: -1", "whitelist:",
                    "limit-conn:", "download_rate: 65536", "socket_keepalive: true", "max_conns: 1"):
        assert written in gateway, f"{written!r} not in the imported gateway.yaml:\n{gateway}"
    assert "sni: '*.wild.test'" in gateway or 'sni: "*.wild.test"' in gateway, gateway
    # The test's own admin address and key, so that parallel runs do not meet on the default 9180.
    text = sl.config_path.read_text()
    sl.config_path.write_text(text.replace("sluice:\n", f'sluice:\n  admin:\n    listen: "{LOOPBACK}:{sl.admin_port}"\n'
                                           f'    key: "{sl.admin_key}"\n', 1))
    sl.ports = tcp_ports
    sl.start()
    through_sluice = _answers(ports, b)

    for key in ("redis ping", "redis set", "redis get", "mysql", "dig", "sni a", "sni b", "sni wild",
                "acl from 127.0.0.1",
                "acl from 127.0.0.2", "limit first", "limit second", "rate limited", "no keepalive",
                "keepalive answer", "keepalive", "capped held", "capped third"):
        assert through_sluice[key] == through_nginx[key], f"{key}: nginx {through_nginx[key]!r}, " \
                                                          f"sluice {through_sluice[key]!r}"
    names = {s.name for s in b.rdp}
    for source in ("127.0.0.1", "127.0.0.2"):
        got = through_sluice[f"rdp from {source}"]
        assert len(got) == 1 and got <= names, f"not sticky per client address: {got}"
    assert b.tls["a"].server_names[-2:] == ["a.example.test", "x.y.wild.test"]
    assert b.tls["b"].server_names[-1] == "b.example.test"
    # Sluice writes the access logs nginx wrote, in the imported formats: the rate session (the last one) in the
    # main log, the keepalive server's in its own, the capped server's nowhere.
    wait_until(lambda: b.pusher.addr in "".join(main_log.read_text().splitlines()[nginx_log_lines:]), 10,
               "sluice to append to the imported access log")
    wait_until(lambda: len(keep_log.read_text().splitlines()) == nginx_keep_lines + 1, 10,
               "sluice to append to the keepalive server's own log")
    assert b.keep.addr in keep_log.read_text().splitlines()[-1]
    _expect_not_logged(main_log.read_text(), b)
