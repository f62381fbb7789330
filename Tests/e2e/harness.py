"""Shared machinery for Sluice's end-to-end tests.

Standard library only.  Everything here talks to loopback addresses only
(127.0.0.1, and 127.0.0.2 as a second client address), every wait has a
deadline, and every process or server that is started is registered so that
it can be torn down even when a test fails or hangs.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import signal
import shutil
import signal as _signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable, Iterable

LOOPBACK = "127.0.0.1"
ADMIN_KEY = "e2e-test-admin-key-0000000000000000"
REPO_ROOT = Path(__file__).resolve().parents[2]

# Access-log format used by every test.  `|` separates fields because
# $upstream_addr may hold a list such as "127.0.0.1:1, 127.0.0.1:2".
LOG_FIELDS = ["remote_addr", "status", "bytes_sent", "bytes_received",
              "upstream_addr", "route_id", "close_reason"]
LOG_FORMAT = "|".join("$" + f for f in LOG_FIELDS)

# ---------------------------------------------------------------------------
# registry of things to tear down (used by fixtures and by the watchdog)
# ---------------------------------------------------------------------------

_registry_lock = threading.Lock()
_procs: list[subprocess.Popen] = []
_closers: list[Callable[[], None]] = []


def register_process(p: subprocess.Popen) -> None:
    with _registry_lock:
        _procs.append(p)


def register_closer(fn: Callable[[], None]) -> None:
    with _registry_lock:
        _closers.append(fn)


def run_closers() -> None:
    """Close every registered socket and in-process server."""
    with _registry_lock:
        closers = list(_closers)
        _closers.clear()
    for fn in reversed(closers):
        try:
            fn()
        except Exception:
            pass


def kill_everything() -> None:
    """SIGKILL every registered process, run every registered closer."""
    with _registry_lock:
        procs, closers = list(_procs), list(_closers)
        _procs.clear()
        _closers.clear()
    for p in procs:
        if p.poll() is None:
            try:
                p.kill()
            except OSError:
                pass
        try:
            p.wait(timeout=5)
        except Exception:
            pass
    for fn in reversed(closers):
        try:
            fn()
        except Exception:
            pass


# ---------------------------------------------------------------------------
# waiting
# ---------------------------------------------------------------------------

class Timeout(AssertionError):
    pass


def wait_until(cond: Callable[[], object], timeout: float, what: str,
               interval: float = 0.02):
    """Poll `cond` until it returns something truthy; fail after `timeout` s."""
    deadline = time.monotonic() + timeout
    last_exc: BaseException | None = None
    while True:
        try:
            v = cond()
            if v:
                return v
        except (OSError, ValueError, LookupError) as e:  # transient (not there yet): retry until the deadline
            last_exc = e
        if time.monotonic() >= deadline:
            extra = f" (last error: {last_exc!r})" if last_exc else ""
            raise Timeout(f"timed out after {timeout:.1f}s waiting for {what}{extra}")
        time.sleep(interval)


# ---------------------------------------------------------------------------
# ports
# ---------------------------------------------------------------------------

_PORT_LO, _PORT_HI = 25000, 29999
_handed_out: set[int] = set()
_port_lock = threading.Lock()


def _port_is_free(port: int, host: str = LOOPBACK) -> bool:
    for fam, h in ((socket.AF_INET, host),):
        s = socket.socket(fam, socket.SOCK_STREAM)
        try:
            s.bind((h, port))  # no SO_REUSEADDR: stricter than the server's bind
        except OSError:
            return False
        finally:
            s.close()
    # also make sure nothing listens on the wildcard address for that port
    s = socket.socket()
    s.settimeout(0.2)
    try:
        return s.connect_ex((host, port)) != 0
    finally:
        s.close()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody uses, from 25000–29999 (outside the
    kernel's ephemeral range, so outgoing connections cannot grab it)."""
    with _port_lock:
        for _ in range(2000):
            p = random.randint(_PORT_LO, _PORT_HI)
            if p in _handed_out:
                continue
            if _port_is_free(p):
                _handed_out.add(p)
                return p
    raise RuntimeError("no free port found in 25000-29999")


def free_ports(n: int) -> list[int]:
    return [free_port() for _ in range(n)]


# ---------------------------------------------------------------------------
# sockets
# ---------------------------------------------------------------------------

def connect(port: int, host: str = LOOPBACK, timeout: float = 10.0,
            source: str | None = None) -> socket.socket:
    """A connected client socket with a recv/send timeout."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    if source:
        s.bind((source, 0))
    try:
        s.connect((host, port))
    except BaseException:
        s.close()
        raise
    register_closer(lambda: _quiet_close(s))
    return s


def _quiet_close(s: socket.socket) -> None:
    try:
        s.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    try:
        s.close()
    except OSError:
        pass


def recv_exact(s: socket.socket, n: int) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        chunk = s.recv(min(1 << 20, n - len(buf)))
        if not chunk:
            raise EOFError(f"EOF after {len(buf)} of {n} bytes")
        buf += chunk
    return bytes(buf)


def recv_line(s: socket.socket, limit: int = 65536) -> bytes:
    buf = bytearray()
    while not buf.endswith(b"\n"):
        c = s.recv(1)
        if not c:
            raise EOFError(f"EOF after {bytes(buf)!r}")
        buf += c
        if len(buf) > limit:
            raise ValueError("line too long")
    return bytes(buf)


def recv_all(s: socket.socket) -> bytes:
    """Read until EOF (the socket's timeout bounds every read)."""
    buf = bytearray()
    while True:
        c = s.recv(65536)
        if not c:
            return bytes(buf)
        buf += c


def wait_closed(s: socket.socket, timeout: float) -> tuple[bytes, float]:
    """Wait until the peer closes `s` (EOF or reset).  Returns the bytes that
    arrived before the close and the seconds it took.  Fails on the deadline."""
    t0 = time.monotonic()
    deadline = t0 + timeout
    got = bytearray()
    old = s.gettimeout()
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Timeout(f"connection still open after {timeout:.1f}s")
            s.settimeout(left)
            try:
                c = s.recv(65536)
            except (ConnectionResetError, BrokenPipeError):
                break
            except socket.timeout:
                raise Timeout(f"connection still open after {timeout:.1f}s")
            if not c:
                break
            got += c
    finally:
        s.settimeout(old)
    return bytes(got), time.monotonic() - t0


def echo_roundtrip(s: socket.socket, payload: bytes) -> bytes:
    s.sendall(payload)
    return recv_exact(s, len(payload))


def sha256(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


# ---------------------------------------------------------------------------
# in-process TCP servers
# ---------------------------------------------------------------------------

class TcpServer:
    """A threaded TCP server on 127.0.0.1: `handler(conn, server)` runs in its
    own thread per connection; the connection is closed when it returns."""

    def __init__(self, handler: Callable[[socket.socket, "TcpServer"], None],
                 port: int | None = None, host: str = LOOPBACK, backlog: int = 1024,
                 name: str = "server"):
        self.handler = handler
        self.name = name
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, port if port is not None else free_port()))
        self.sock.listen(backlog)
        self.sock.settimeout(0.1)
        self.host, self.port = self.sock.getsockname()[:2]
        self.addr = f"{self.host}:{self.port}"
        self.accepted = 0
        self.errors: list[BaseException] = []
        self.received: list[bytes] = []  # handlers may append what they saw
        self.lock = threading.Lock()
        self._conns: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept_loop, daemon=True,
                                        name=f"{name}-accept")
        self._thread.start()
        register_closer(self.close)

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            conn.settimeout(30)
            with self.lock:
                self.accepted += 1
                self._conns.append(conn)
            threading.Thread(target=self._run, args=(conn,), daemon=True,
                             name=f"{self.name}-conn").start()

    def _run(self, conn: socket.socket) -> None:
        try:
            self.handler(conn, self)
        except (OSError, EOFError):
            pass
        except BaseException as e:  # noqa: BLE001 - recorded for the test
            with self.lock:
                self.errors.append(e)
        finally:
            _quiet_close(conn)
            with self.lock:
                if conn in self._conns:
                    self._conns.remove(conn)

    def open_connections(self) -> int:
        with self.lock:
            return len(self._conns)

    def close(self) -> None:
        if self._stop.is_set():
            return
        self._stop.set()
        try:
            self.sock.close()
        except OSError:
            pass
        with self.lock:
            conns = list(self._conns)
        for c in conns:
            _quiet_close(c)
        self._thread.join(timeout=2)


def echo_handler(conn: socket.socket, server: TcpServer) -> None:
    while True:
        d = conn.recv(65536)
        if not d:
            return
        conn.sendall(d)


def named_line_handler(name: str):
    """Replies to every line `x\\n` with `NAME:x\\n`."""
    prefix = name.encode() + b":"

    def handler(conn: socket.socket, server: TcpServer) -> None:
        f = conn.makefile("rb")
        try:
            for line in f:
                conn.sendall(prefix + line)
        finally:
            f.close()
    return handler


def echo_server(**kw) -> TcpServer:
    return TcpServer(echo_handler, name=kw.pop("name", "echo"), **kw)


def named_server(name: str, **kw) -> TcpServer:
    return TcpServer(named_line_handler(name), name=name, **kw)


def ask(s: socket.socket, word: str = "ping") -> str:
    """Send a line to a named server through the proxy, return 'NAME:word'."""
    s.sendall(word.encode() + b"\n")
    return recv_line(s).decode().rstrip("\n")


def ask_new(port: int, word: str = "ping", timeout: float = 5.0,
            source: str | None = None) -> str:
    s = connect(port, timeout=timeout, source=source)
    try:
        return ask(s, word)
    finally:
        _quiet_close(s)


class Blackhole:
    """A listener whose accept queue is full: further SYNs are dropped, so a
    connect() to it hangs until the connector's own timeout."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind((LOOPBACK, free_port()))
        self.sock.listen(0)
        self.port = self.sock.getsockname()[1]
        self.addr = f"{LOOPBACK}:{self.port}"
        self.fillers = []
        for _ in range(3):
            f = socket.socket()
            f.setblocking(False)
            f.connect_ex((LOOPBACK, self.port))
            self.fillers.append(f)
        register_closer(self.close)

    def works(self) -> bool:
        """True when a fresh connect() really hangs."""
        def probe():
            p = socket.socket()
            p.settimeout(0.5)
            try:
                p.connect((LOOPBACK, self.port))
                return False
            except socket.timeout:
                return True
            except OSError:
                return False
            finally:
                p.close()
        time.sleep(0.05)  # let the filler handshakes settle
        return probe()

    def close(self) -> None:
        for f in self.fillers:
            f.close()
        self.sock.close()


# ---------------------------------------------------------------------------
# YAML writing (block style, enough for config.yaml and gateway.yaml)
# ---------------------------------------------------------------------------

_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _scalar(v) -> str:
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, dict) and not v:
        return "{}"
    if isinstance(v, list) and not v:
        return "[]"
    return json.dumps(str(v))


def _key(k) -> str:
    k = str(k)
    return k if _PLAIN_KEY.fullmatch(k) else json.dumps(k)


def _emit(obj, ind: int, out: list[str]) -> None:
    pad = "  " * ind
    if isinstance(obj, dict):
        for k, v in obj.items():
            if isinstance(v, (dict, list)) and v:
                out.append(f"{pad}{_key(k)}:")
                _emit(v, ind + 1, out)
            else:
                out.append(f"{pad}{_key(k)}: {_scalar(v)}")
    elif isinstance(obj, list):
        for item in obj:
            if isinstance(item, dict) and item:
                sub: list[str] = []
                _emit(item, ind + 1, sub)
                sub[0] = pad + "- " + sub[0][len(pad) + 2:]
                out.extend(sub)
            elif isinstance(item, list) and item:
                out.append(pad + "-")
                _emit(item, ind + 1, out)
            else:
                out.append(f"{pad}- {_scalar(item)}")
    else:
        out.append(pad + _scalar(obj))


def to_yaml(obj) -> str:
    out: list[str] = []
    _emit(obj, 0, out)
    return "\n".join(out) + "\n"


def write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp-e2e")
    tmp.write_text(text)
    os.replace(tmp, path)


def route(rid: str, nodes, *, type: str = "roundrobin", retries=None,
          timeout=None, **filters) -> dict:
    """A stream route with an inline upstream.  `nodes` is a list of
    "host:port" strings (weight 1 each) or a ready-made nodes object."""
    if isinstance(nodes, (list, tuple)) and nodes and isinstance(nodes[0], str):
        nodes = {n: 1 for n in nodes}
    up: dict = {"type": type}
    if retries is not None:
        up["retries"] = retries
    if timeout is not None:
        up["timeout"] = timeout
    up["nodes"] = nodes
    r: dict = {"id": str(rid)}
    r.update(filters)
    r["upstream"] = up
    return r


# ---------------------------------------------------------------------------
# the sluice process
# ---------------------------------------------------------------------------

class Metrics:
    """One scrape, parsed by a real Prometheus text parser: `value(name, **labels)` of one series (None when
    absent), `series(name)` every series of a name as (labels, value). Names are the parser's: it gives a counter's
    samples a `_total` suffix when the exposition has none (`apisix_stream_status` ⇒ `apisix_stream_status_total`)."""

    def __init__(self, text: str):
        from prometheus_client.parser import text_string_to_metric_families
        self.text = text
        self.samples: dict[str, list[tuple[dict, float]]] = {}
        for family in text_string_to_metric_families(text):
            for s in family.samples:
                self.samples.setdefault(s.name, []).append((dict(s.labels), s.value))

    def series(self, metric: str) -> list[tuple[dict, float]]:
        return self.samples.get(metric, [])

    def value(self, metric: str, /, **labels) -> float | None:
        found = [v for ls, v in self.series(metric) if ls == labels]
        assert len(found) <= 1, (metric, labels, found)
        return found[0] if found else None


class Sluice:
    """One `sluice --headless` process with its own config folder."""

    def __init__(self, binary: str, confdir: Path, *, listeners: int = 1,
                 gateway: dict | str | None = None, access_log: bool = True,
                 drain_timeout: float | None = 5, root: str = "sluice",
                 data_file: str = "gateway.yaml", ports: list[int] | None = None,
                 admin_key: str | None = ADMIN_KEY, viewer_key: str | None = None,
                 admin_allow: list[str] | None = None, prometheus: bool = False,
                 deployment: str | None = None):
        self.binary = binary
        self.dir = Path(confdir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.ports = ports if ports is not None else free_ports(listeners)
        self.port = self.ports[0] if self.ports else None
        self.admin_port = free_port()
        # The Prometheus export server, on a port of its own when asked for (`scrape()`).
        self.metrics_port = free_port() if prometheus else None
        self.config_path = self.dir / "config.yaml"
        self.data_path = self.dir / data_file
        self.log_path = self.dir / "logs" / "access.log"
        self.stderr_path = self.dir / "sluice.stderr"
        self.stdout_path = self.dir / "sluice.stdout"
        self.proc: subprocess.Popen | None = None
        self.returncode: int | None = None
        lines = [f"{root}:", "  stream_proxy:", "    tcp:"]
        lines += [f'      - "{LOOPBACK}:{p}"' for p in self.ports]
        self.admin_key = admin_key
        lines += ["  admin:", f'    listen: "{LOOPBACK}:{self.admin_port}"']
        if admin_key is not None:
            lines.append(f'    key: "{admin_key}"')
        if viewer_key is not None:
            lines.append(f'    viewer_key: "{viewer_key}"')
        if admin_allow is not None:
            lines.append("    allow: [" + ", ".join(f'"{a}"' for a in admin_allow) + "]")
        if self.metrics_port is not None:
            lines += ["  prometheus:", f'    listen: "{LOOPBACK}:{self.metrics_port}"']
        if access_log:
            lines += ["  access_log:",
                      "    path: logs/access.log",
                      f"    format: '{LOG_FORMAT}'"]
        if drain_timeout is not None:
            lines.append(f"  drain_timeout: {drain_timeout}")
        lines.append(f"  data_file: {data_file}")
        if deployment is not None:
            lines.append(deployment)
        self.config_path.write_text("\n".join(lines) + "\n")
        self.drain_timeout = drain_timeout if drain_timeout is not None else 30
        if gateway is not None:
            self.write_gateway(gateway)

    # -- files ---------------------------------------------------------------
    def write_gateway(self, gateway: dict | str) -> None:
        text = gateway if isinstance(gateway, str) else to_yaml(gateway)
        write_atomic(self.data_path, text)

    def stderr(self) -> str:
        try:
            return self.stderr_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def output(self) -> str:
        out = ""
        for p in (self.stdout_path, self.stderr_path):
            try:
                out += p.read_text(errors="replace")
            except FileNotFoundError:
                pass
        return out

    def stderr_tail(self, n: int = 30) -> str:
        return "\n".join(self.output().splitlines()[-n:])

    # -- process ---------------------------------------------------------------
    def start(self, wait: bool = True, timeout: float = 15.0) -> "Sluice":
        self.stdout_f = open(self.stdout_path, "wb")
        self.stderr_f = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen(
            [self.binary, "--headless", "--config", str(self.config_path)],
            cwd=str(self.dir), stdin=subprocess.DEVNULL,
            stdout=self.stdout_f, stderr=self.stderr_f)
        register_process(self.proc)
        if wait:
            for p in self.ports + [self.admin_port] + ([self.metrics_port] if self.metrics_port else []):
                self.wait_listening(p, timeout)
        return self

    # -- prometheus ------------------------------------------------------------
    def scrape(self, path: str = "/apisix/prometheus/metrics") -> "Metrics":
        """GETs the export server and parses the text with prometheus_client's parser."""
        import urllib.request
        with urllib.request.urlopen(f"http://{LOOPBACK}:{self.metrics_port}{path}", timeout=10) as r:
            assert r.status == 200
            assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4"), r.headers["Content-Type"]
            return Metrics(r.read().decode())

    # -- admin API -------------------------------------------------------------
    def admin(self, method: str, path: str, body=None, *, key: str | None = "default",
              headers: dict | None = None, raw: bytes | None = None, timeout: float = 10.0,
              as_text: bool = False):
        """One Admin API request; returns (status, headers, parsed JSON body),
        or the body as text with `as_text=True`.
        `key="default"` sends this instance's admin key; None sends none."""
        import urllib.error
        import urllib.request
        url = f"http://{LOOPBACK}:{self.admin_port}{path}"
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        req = urllib.request.Request(url, data=data, method=method)
        if key == "default":
            key = self.admin_key
        if key is not None:
            req.add_header("X-API-KEY", key)
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                status, hdrs, payload = r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            status, hdrs, payload = e.code, e.headers, e.read()
        if as_text:
            return status, hdrs, payload.decode()
        return status, hdrs, (json.loads(payload) if payload else None)

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def _listening_inodes(self, port: int) -> set[str]:
        inodes = set()
        for fn in ("/proc/net/tcp", "/proc/net/tcp6"):
            try:
                with open(fn) as f:
                    next(f)
                    for line in f:
                        parts = line.split()
                        local, state, inode = parts[1], parts[3], parts[9]
                        if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:
                            inodes.add(inode)
            except FileNotFoundError:
                pass
        return inodes

    def is_listening(self, port: int) -> bool:
        """True when *this* process holds a listening socket on `port`
        (read from /proc, so it opens no connection and logs no session)."""
        inodes = self._listening_inodes(port)
        if not inodes:
            return False
        fd_dir = f"/proc/{self.pid}/fd"
        try:
            for fd in os.listdir(fd_dir):
                try:
                    link = os.readlink(f"{fd_dir}/{fd}")
                except OSError:
                    continue
                if link.startswith("socket:[") and link[8:-1] in inodes:
                    return True
        except FileNotFoundError:
            return False
        return False

    def wait_listening(self, port: int, timeout: float = 15.0) -> None:
        def cond():
            if not self.alive():
                raise AssertionError(
                    f"sluice exited with status {self.proc.poll()} before listening on "
                    f"{port}; output:\n{self.stderr_tail()}")
            return self.is_listening(port)
        try:
            wait_until(cond, timeout, f"sluice to listen on {LOOPBACK}:{port}")
        except Timeout as e:
            raise Timeout(f"{e}; output:\n{self.stderr_tail()}") from None

    def signal(self, sig: int) -> None:
        assert self.proc is not None
        self.proc.send_signal(sig)

    def reload(self) -> None:
        self.signal(signal.SIGHUP)

    def wait_exit(self, timeout: float) -> int:
        assert self.proc is not None
        try:
            self.returncode = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise Timeout(f"sluice still running {timeout:.1f}s later; output:\n"
                          f"{self.stderr_tail()}") from None
        return self.returncode

    def stop(self, sig: int = _signal.SIGTERM, timeout: float | None = None,
             expect: int | None = 0) -> int:
        """Send `sig` (SIGTERM), wait for the exit, and check the status."""
        if timeout is None:
            timeout = self.drain_timeout + 5
        assert self.proc is not None, "sluice was never started"
        if self.proc.poll() is None:
            self.signal(sig)
        rc = self.wait_exit(timeout)
        if expect is not None:
            assert rc == expect, (f"sluice exited with status {rc}, expected {expect}; "
                                  f"output:\n{self.stderr_tail()}")
        return rc

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass

    def close_files(self) -> None:
        for f in (getattr(self, "stdout_f", None), getattr(self, "stderr_f", None)):
            if f is not None:
                f.close()

    # -- access log ------------------------------------------------------------
    def log_entries(self) -> list[dict]:
        try:
            text = self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return []
        out = []
        for line in text.splitlines():
            if not line.strip():
                continue
            parts = line.split("|")
            d = dict(zip(LOG_FIELDS, (p.strip() for p in parts)))
            d["raw"] = line
            out.append(d)
        return out

    def wait_log(self, n: int, timeout: float = 5.0,
                 where: Callable[[dict], bool] | None = None) -> list[dict]:
        """Wait until at least `n` access-log entries (matching `where`) exist."""
        def cond():
            es = [e for e in self.log_entries() if where is None or where(e)]
            return es if len(es) >= n else None
        try:
            return wait_until(cond, timeout, f"{n} access-log entries in {self.log_path}")
        except Timeout as e:
            have = self.log_entries()
            raise Timeout(f"{e}; the log has {len(have)}: "
                          f"{[x['raw'] for x in have[-5:]]}") from None


def run_validate(binary: str, config: Path, timeout: float = 20.0) -> tuple[int, str]:
    p = subprocess.run([binary, "validate", "--config", str(config)],
                       cwd=str(Path(config).parent), stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=timeout)
    return p.returncode, p.stdout.decode(errors="replace")


# ---------------------------------------------------------------------------
# redis
# ---------------------------------------------------------------------------

class RedisServer:
    def __init__(self, workdir: Path, binary: str = "redis-server", port: int | None = None):
        self.port = port if port is not None else free_port()
        self.dir = Path(workdir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.log_path = self.dir / "redis.log"
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", LOOPBACK,
             "--save", "", "--appendonly", "no", "--daemonize", "no",
             "--dir", str(self.dir), "--protected-mode", "no"],
            stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT)
        register_process(self.proc)
        self.addr = f"{LOOPBACK}:{self.port}"

        def ready():
            if self.proc.poll() is not None:
                raise AssertionError(f"redis-server exited: {self.log_path.read_text()}")
            c = Resp(self.port, timeout=1)
            try:
                return c.call("PING") == "PONG"
            finally:
                c.close()
        wait_until(ready, 10, f"redis-server on {self.addr}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=5)
        self._log.close()


def start_etcd(folder: Path, members: int = 1, tls: dict | None = None) -> "EtcdServer":
    """A private etcd of `members` members on loopback ports, or a skip (a failure under CI) without etcd;
    `tls` as `EtcdServer` takes it."""
    import pytest
    if not (shutil.which("etcd") and shutil.which("etcdctl")):
        msg = "etcd is not installed (etcd-server, etcd-client: scripts/install-test-deps.sh)"
        if os.environ.get("CI"):
            pytest.fail(msg, pytrace=False)
        pytest.skip(msg)
    return EtcdServer(folder, members=members, tls=tls)


class EtcdServer:
    """An etcd of `members` members (one by default) on loopback ports, each
    with its own data folder; `stop()` and `start()` (all members, or one by
    index) keep the data.  `ctl(...)` runs etcdctl against every member.

    With `tls` (paths: `ca`, the server's `cert`/`key`, a `client_cert`/
    `client_key` for etcdctl) the members serve https:// and ask every client
    for a certificate signed by `ca` (--client-cert-auth)."""

    def __init__(self, workdir: Path, binary: str = "etcd", members: int = 1, tls: dict | None = None):
        self.binary = binary
        self.dir = Path(workdir)
        self.dir.mkdir(parents=True, exist_ok=True)
        ports = free_ports(2 * members)
        self.members = [{"name": f"m{i}", "port": ports[2 * i], "peer": ports[2 * i + 1], "proc": None}
                        for i in range(members)]
        self.tls = tls
        scheme = "https" if tls else "http"
        self.urls = [f"{scheme}://{LOOPBACK}:{m['port']}" for m in self.members]
        # etcdctl's side of TLS
        self.tls_args = [] if not tls else ["--cacert", str(tls["ca"]), "--cert", str(tls["client_cert"]),
                                            "--key", str(tls["client_key"])]
        self.url, self.port = self.urls[0], self.members[0]["port"]
        self.auth: list[str] = []
        self.start()

    def start(self, which: int | None = None) -> None:
        cluster = ",".join(f"{m['name']}=http://{LOOPBACK}:{m['peer']}" for m in self.members)
        chosen = range(len(self.members)) if which is None else [which]
        for i in chosen:
            m, url = self.members[i], self.urls[i]
            peer = f"http://{LOOPBACK}:{m['peer']}"
            log = open(self.dir / f"{m['name']}.log", "ab")
            m["proc"] = subprocess.Popen(
                [self.binary, "--name", m["name"], "--data-dir", str(self.dir / m["name"]),
                 "--listen-client-urls", url, "--advertise-client-urls", url,
                 "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                 "--initial-cluster", cluster, *self._server_tls_args()],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
            log.close()
            register_process(m["proc"])

        def ready():
            for i in chosen:
                if self.members[i]["proc"].poll() is not None:
                    name = self.members[i]["name"]
                    raise AssertionError("etcd exited: " + (self.dir / f"{name}.log").read_text()[-2000:])
            return subprocess.run(["etcdctl", "--endpoints", ",".join(self.urls[i] for i in chosen),
                                   *self.tls_args, "endpoint", "health"],
                                  capture_output=True, env=self._env(), timeout=10).returncode == 0
        wait_until(ready, 30, f"etcd on {', '.join(self.urls[i] for i in chosen)}")

    def _server_tls_args(self) -> list[str]:
        if not self.tls:
            return []
        return ["--cert-file", str(self.tls["cert"]), "--key-file", str(self.tls["key"]),
                "--trusted-ca-file", str(self.tls["ca"]), "--client-cert-auth"]

    def _env(self) -> dict:
        return dict(os.environ, ETCDCTL_API="3")

    def enable_auth(self, user: str, password: str) -> None:
        """Adds `user` (as root) and turns etcd's authentication on."""
        self.ctl("user", "add", f"{user}:{password}")
        self.ctl("user", "grant-role", user, "root")
        self.ctl("auth", "enable")
        self.auth = ["--user", f"{user}:{password}"]

    def ctl(self, *args: str) -> str:
        r = subprocess.run(["etcdctl", "--endpoints", ",".join(self.urls), *self.tls_args, *self.auth, *args],
                           capture_output=True,
                           env=self._env(), timeout=20, text=True)
        if r.returncode != 0:
            raise AssertionError(f"etcdctl {' '.join(args)}: {r.stderr}")
        return r.stdout

    def put(self, key: str, value) -> None:
        self.ctl("put", key, value if isinstance(value, str) else json.dumps(value))

    def revision(self) -> int:
        return int(json.loads(self.ctl("get", "/", "--limit", "1", "-w", "json"))["header"]["revision"])

    def mod_revision(self, key: str) -> int:
        return int(json.loads(self.ctl("get", key, "-w", "json"))["kvs"][0]["mod_revision"])

    def stop(self, which: int | None = None) -> None:
        for i in range(len(self.members)) if which is None else [which]:
            p = self.members[i]["proc"]
            if p is not None and p.poll() is None:
                p.kill()
                p.wait(timeout=10)

    def deployment(self, role: str = "data_plane", hosts: list[str] | None = None,
                   auth: tuple[str, str] | None = None, tls: dict | None = None) -> str:
        """The config.yaml `deployment:` section for a gateway of this etcd;
        `tls` is written as `deployment.etcd.tls` (`{"cert": path, "key": path}`)."""
        hosts = hosts or [self.url]
        lines = ["deployment:", f"  role: {role}", f"  role_{role}:", "    config_provider: etcd",
                 "  etcd:", "    host: [" + ", ".join(f'"{h}"' for h in hosts) + "]",
                 "    timeout: 3", "    startup_retry: 1"]
        if auth is not None:
            lines += [f"    user: {auth[0]}", f'    password: "{auth[1]}"']
        if tls:
            lines += ["    tls:"] + [f"      {k}: {json.dumps(str(v) if isinstance(v, Path) else v)}"
                                     for k, v in tls.items()]
        return "\n".join(lines)


class RespError(Exception):
    pass


class Resp:
    """A minimal RESP2 client."""

    def __init__(self, port: int, host: str = LOOPBACK, timeout: float = 30.0):
        self.sock = connect(port, host, timeout=timeout)
        self.f = self.sock.makefile("rb", buffering=1 << 16)

    def close(self) -> None:
        try:
            self.f.close()
        finally:
            _quiet_close(self.sock)

    @staticmethod
    def encode(*args) -> bytes:
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            if isinstance(a, str):
                a = a.encode()
            elif isinstance(a, int):
                a = str(a).encode()
            out.append(b"$%d\r\n" % len(a))
            out.append(a)
            out.append(b"\r\n")
        return b"".join(out)

    def _read(self):
        line = self.f.readline()
        if not line:
            raise EOFError("redis connection closed")
        t, rest = line[:1], line[1:-2]
        if t == b"+":
            return rest.decode()
        if t == b"-":
            raise RespError(rest.decode())
        if t == b":":
            return int(rest)
        if t == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = self.f.read(n + 2)
            if len(data) != n + 2:
                raise EOFError("short bulk reply")
            return data[:-2]
        if t == b"*":
            n = int(rest)
            return None if n < 0 else [self._read() for _ in range(n)]
        raise RespError(f"bad reply type {line!r}")

    def call(self, *args):
        self.sock.sendall(self.encode(*args))
        return self._read()


# ---------------------------------------------------------------------------
# watchdog: the last line of defence against a hung test
# ---------------------------------------------------------------------------

class Watchdog:
    """If a test runs past `seconds`, kill sluice/redis and close the servers so
    blocked calls return; if it is still stuck `grace` seconds later, exit."""

    def __init__(self, seconds: float, name: str, grace: float = 20.0):
        self.name = name
        self.grace = grace
        self.t1 = threading.Timer(seconds, self._fire)
        self.t1.daemon = True
        self.t2: threading.Timer | None = None
        self.t1.start()

    def _fire(self) -> None:
        sys.stderr.write(f"\n[e2e watchdog] {self.name} overran its time limit; "
                         "killing its processes\n")
        kill_everything()
        self.t2 = threading.Timer(self.grace, self._exit)
        self.t2.daemon = True
        self.t2.start()

    def _exit(self) -> None:
        sys.stderr.write(f"\n[e2e watchdog] {self.name} is still stuck; exiting\n")
        sys.stderr.flush()
        os._exit(3)

    def cancel(self) -> None:
        self.t1.cancel()
        if self.t2 is not None:
            self.t2.cancel()


def random_chunks(data: bytes, rnd: random.Random, lo: int = 1, hi: int = 16384) -> Iterable[bytes]:
    i = 0
    while i < len(data):
        n = rnd.randint(lo, hi)
        yield data[i:i + n]
        i += n
