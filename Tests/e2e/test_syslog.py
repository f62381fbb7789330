"""The syslog stream plugin end to end: real UDP, TCP and TLS sinks (python sockets) receiving one RFC 5424 (or
RFC 3164) line per session with the session's fields; a dead or stalled sink neither slows the data plane nor
holds more than its limits (drops counted in /apisix/admin/status and the engine log)."""

from __future__ import annotations

import json
import re
import socket
import ssl
import threading
import time

import pytest

from harness import LOOPBACK, TcpServer, connect, echo_roundtrip, echo_server, free_port, route, wait_until
from test_udp import UdpNamedEcho, ask_udp, udp_route, udp_sluice
from tlsutil import CA

RFC5424 = re.compile(r"^<46>1 (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) (\S+) sluice (\d+) - - (\{.*\})$")
RFC3164 = re.compile(r"^<46>([A-Z][a-z]{2}) ([ \d]\d) (\d\d:\d\d:\d\d) (\S+) sluice\[(\d+)\]: (\{.*\})$")


class UdpSink:
    """Collects datagrams on 127.0.0.1."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((LOOPBACK, 0))
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.messages: list[str] = []
        self._stop = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        while not self._stop.is_set():
            try:
                data, _ = self.sock.recvfrom(65536)
            except socket.timeout:
                continue
            except OSError:
                return
            self.messages.append(data.decode())

    def wait(self, n: int, timeout: float = 10) -> list[str]:
        wait_until(lambda: len(self.messages) >= n, timeout, f"{n} syslog datagrams (got {len(self.messages)})")
        return self.messages

    def close(self):
        self._stop.set()
        self.sock.close()


class TcpSink:
    """Collects newline-framed messages on 127.0.0.1 (TLS-wrapped when `tls` is an SSLContext)."""

    def __init__(self, tls: ssl.SSLContext | None = None):
        self.lines: list[str] = []
        self.connections = 0

        def handler(conn: socket.socket, server: TcpServer) -> None:
            if tls is not None:
                conn = tls.wrap_socket(conn, server_side=True)
            self.connections += 1
            f = conn.makefile("rb")
            for line in f:
                assert line.endswith(b"\n")
                self.lines.append(line[:-1].decode())
        self.server = TcpServer(handler, name="syslog-sink")
        self.port = self.server.port

    def wait(self, n: int, timeout: float = 10) -> list[str]:
        wait_until(lambda: len(self.lines) >= n, timeout, f"{n} syslog lines (got {len(self.lines)})")
        return self.lines


def syslog_route(up, **syslog) -> dict:
    r = route("1", [up.addr])
    r["plugins"] = {"syslog": {"host": LOOPBACK, **syslog}}
    return r


def sessions(port: int, n: int, payload: bytes = b"hello\n") -> None:
    for _ in range(n):
        s = connect(port)
        assert echo_roundtrip(s, payload) == payload
        s.close()


def entry(message: str, pattern: re.Pattern) -> tuple[re.Match, dict]:
    m = pattern.match(message)
    assert m, message
    return m, json.loads(m.group(m.lastindex))


@pytest.mark.time_limit(60)
def test_udp_sink_gets_one_rfc5424_datagram_per_session_with_the_access_log_fields(sluice):
    up = echo_server()
    sink = UdpSink()
    sl = sluice(gateway={"stream_routes": [syslog_route(up, port=sink.port, sock_type="udp", batch_max_size=1)]})
    sessions(sl.port, 3)
    messages = sink.wait(3)
    time.sleep(0.3)  # nothing more may come: one datagram per session, not per batch or per write
    assert len(messages) == 3, messages
    for message in messages:
        m, e = entry(message, RFC5424)
        assert int(m.group(3)) == sl.pid and m.group(2) != "-"
        assert (e["remote_addr"], e["server_port"], e["protocol"], e["status"]) == ("127.0.0.1", sl.port, "TCP", 200)
        assert (e["bytes_sent"], e["bytes_received"], e["upstream_addr"]) == (6, 6, up.addr), e
        assert (e["route_id"], e["close_reason"]) == ("1", "client_closed"), e
        assert isinstance(e["session_time"], float) and isinstance(e["connection"], int)
    assert len({json.loads(RFC5424.match(m).group(4))["connection"] for m in messages}) == 3


@pytest.mark.time_limit(60)
def test_tcp_sink_with_log_format_rfc3164_and_batches(sluice):
    up = echo_server()
    sink = TcpSink()
    log_format = {"client": "$remote_addr", "port": "$server_port", "const": 7, "text": "as is",
                  "nested": {"status": "$status", "reason": "$close_reason"}, "missing": "$ssl_server_name"}
    sl = sluice(gateway={"stream_routes": [syslog_route(
        up, port=sink.port, format="rfc3164", log_format=log_format, batch_max_size=2, inactive_timeout=1)]})
    sessions(sl.port, 2)
    sink.wait(2)
    sessions(sl.port, 1)  # alone in its batch: goes after inactive_timeout
    lines = sink.wait(3, timeout=5)
    assert len(lines) == 3 and sink.connections == 1, (lines, sink.connections)
    for line in lines:
        m, e = entry(line, RFC3164)
        assert int(m.group(5)) == sl.pid
        assert e == {"client": "127.0.0.1", "port": str(sl.port), "const": 7, "text": "as is",
                     "nested": {"status": "200", "reason": "client_closed"}, "route_id": "1"}, e


@pytest.mark.time_limit(60)
def test_tls_sink_verified_or_refused(sluice, tmp_path):
    ca = CA(tmp_path / "ca")
    pem, key = ca.issue("localhost")
    (tmp_path / "sink.crt").write_text(pem)
    (tmp_path / "sink.key").write_text(key)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(str(tmp_path / "sink.crt"), str(tmp_path / "sink.key"))
    up = echo_server()
    sink = TcpSink(tls=ctx)
    sl = sluice(gateway={"stream_routes": [
        syslog_route(up, port=sink.port, tls=True, tls_verify=False, batch_max_size=1)]})
    sessions(sl.port, 2)
    for line in sink.wait(2):
        assert entry(line, RFC5424)[1]["status"] == 200
    # Verified against the system trust store, which does not hold the test CA: refused, the entry dropped.
    body = {k: v for k, v in syslog_route(up, port=sink.port, tls=True, batch_max_size=1).items() if k != "id"}
    assert sl.admin("PUT", "/apisix/admin/stream_routes/1", body)[0] == 200
    sessions(sl.port, 1)

    def refused():
        sinks = sl.admin("GET", "/apisix/admin/status")[2]["syslog"]
        return any(s["server"] == f"tls://{LOOPBACK}:{sink.port}" and s["failed_sends"] >= 1 and s["dropped"] == 1
                   for s in sinks)
    wait_until(refused, 10, "the unverified server refused and its entry dropped")
    assert len(sink.lines) == 2


def stalled_sink() -> TcpServer:
    """Accepts and never reads."""
    def handler(conn: socket.socket, server: TcpServer) -> None:
        server._stop.wait()
    return TcpServer(handler, name="stalled")


def timed_sessions(port: int, n: int) -> float:
    t0 = time.monotonic()
    sessions(port, n)
    return time.monotonic() - t0


def rss_kib(pid: int) -> int:
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


@pytest.mark.time_limit(120)
def test_a_dead_or_stalled_sink_costs_neither_time_nor_unbounded_memory(sluice):
    up = echo_server()
    live = TcpSink()
    stalled = stalled_sink()
    dead = free_port()  # nothing listens there
    drop_limit = 20000
    routes = []
    for i, port in enumerate([live.port, stalled.port, dead]):
        r = syslog_route(up, port=port, batch_max_size=50, inactive_timeout=1, timeout=300, drop_limit=drop_limit)
        r["id"] = str(i + 1)
        routes.append(r)
    ports = [free_port() for _ in routes]
    sl = sluice(start=False, gateway={"stream_routes": []}, prometheus=True)
    text = sl.config_path.read_text()
    extra = "".join(f'      - "{LOOPBACK}:{p}"\n' for p in ports)
    sl.config_path.write_text(text.replace("    tcp:\n", "    tcp:\n" + extra, 1))
    for r, p in zip(routes, ports):
        r["server_port"] = p
    sl.write_gateway({"stream_routes": routes})
    sl.start()
    for p in ports:
        sl.wait_listening(p)

    n = 300
    sessions(ports[0], 20)  # warm up
    rss0 = rss_kib(sl.pid)
    # Interleaved rounds, so that the machine's load varies alike for the three.
    t_live = t_stalled = t_dead = 0.0
    for _ in range(3):
        t_live += timed_sessions(ports[0], n // 3)
        t_stalled += timed_sessions(ports[1], n // 3)
        t_dead += timed_sessions(ports[2], n // 3)
    print(f"{n} sessions: live sink {t_live:.2f}s, stalled sink {t_stalled:.2f}s, dead sink {t_dead:.2f}s")
    assert t_stalled < t_live * 1.5 + 0.5, (t_live, t_stalled)
    assert t_dead < t_live * 1.5 + 0.5, (t_live, t_dead)
    live.wait(n + 20, timeout=15)

    def sinks() -> dict:
        return {s["server"]: s for s in sl.admin("GET", "/apisix/admin/status")[2]["syslog"]}
    dead_key = f"tcp://{LOOPBACK}:{dead}"
    wait_until(lambda: sinks()[dead_key]["dropped"] + sinks()[dead_key]["queued_entries"] == n, 15,
               "every entry for the dead server dropped or waiting")
    s = sinks()
    assert s[dead_key]["dropped"] > 0 and s[dead_key]["sent"] == 0, s[dead_key]
    assert s[dead_key]["queued_bytes"] <= drop_limit, s[dead_key]
    assert s[f"tcp://{LOOPBACK}:{stalled.port}"]["queued_bytes"] <= drop_limit, s
    assert s[f"tcp://{LOOPBACK}:{live.port}"]["dropped"] == 0, s
    wait_until(lambda: "syslog entries dropped" in sl.stderr(), 10, "the drops said in the engine log")
    # A thousand more sessions towards the dead server: the queue stays within drop_limit, so does memory.
    sessions(ports[2], 1000)
    assert sinks()[dead_key]["queued_bytes"] <= drop_limit
    print(f"RSS {rss0} KiB before, {rss_kib(sl.pid)} KiB after; dead sink {sinks()[dead_key]}")
    # The same counts in the Prometheus export.
    dropped = [v for ls, v in sl.scrape().series("sluice_syslog_dropped_total") if ls["target"] == dead_key]
    assert dropped and dropped[0] >= s[dead_key]["dropped"] > 0, dropped
    assert rss_kib(sl.pid) - rss0 < 64 * 1024, (rss0, rss_kib(sl.pid))


@pytest.mark.time_limit(60)
def test_a_udp_session_is_logged_once_when_it_expires(sluice):
    up = UdpNamedEcho()
    sink = UdpSink()
    r = udp_route("u", up.addr, read=0.5)
    r["plugins"] = {"syslog": {"host": LOOPBACK, "port": sink.port, "sock_type": "udp", "batch_max_size": 1}}
    sl = udp_sluice(sluice, [r])
    client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    client.bind((LOOPBACK, 0))
    for i in range(3):
        assert ask_udp(sl.udp_port, b"d%d" % i, sock=client) == b"U:d%d" % i
    [message] = sink.wait(1)
    _, e = entry(message, RFC5424)
    assert (e["protocol"], e["route_id"], e["remote_port"]) == ("UDP", "u", client.getsockname()[1]), e
    assert (e["bytes_received"], e["bytes_sent"], e["close_reason"]) == (6, 12, "idle_timeout"), e
    client.close()


@pytest.mark.time_limit(60)
def test_plugin_schemas_list_and_error_wording(sluice):
    sl = sluice()
    st, _, names = sl.admin("GET", "/apisix/admin/plugins/list?subsystem=stream")
    assert (st, names) == (200, ["ip-restriction", "limit-conn", "prometheus", "limit-bandwidth", "syslog",
                                 "mqtt-proxy", "traffic-split"])
    assert sl.admin("GET", "/apisix/admin/plugins/list?subsystem=http")[2] == []
    assert sl.admin("GET", "/apisix/admin/plugins/list?subsystem=x")[0] == 400
    for name in names:
        st, _, schema = sl.admin("GET", f"/apisix/admin/schema/plugins/{name}?subsystem=stream")
        assert st == 200 and schema["type"] == "object", (name, schema)
    st, _, schema = sl.admin("GET", "/apisix/admin/schema/plugins/syslog?subsystem=stream")
    assert schema["required"] == ["host", "port"] and schema["properties"]["sock_type"]["enum"] == ["tcp", "udp"]
    assert schema["properties"]["batch_max_size"]["default"] == 1000
    st, _, reply = sl.admin("GET", "/apisix/admin/schema/plugins/teleport?subsystem=stream")
    assert (st, reply) == (404, {"error_msg": "plugin not found in subsystem stream"})
    st, _, reply = sl.admin("GET", "/apisix/admin/schema/plugins/syslog?subsystem=http")
    assert (st, reply) == (404, {"error_msg": "plugin not found in subsystem http"})
    st, _, reply = sl.admin("GET", "/apisix/admin/schema/plugins/syslog?subsystem=tcp")
    assert (st, reply) == (400, {"error_msg": "unsupported subsystem: tcp"})

    body = {"upstream": {"nodes": {"127.0.0.1:1": 1}, "type": "roundrobin"},
            "plugins": {"syslog": {"host": "127.0.0.1", "port": 514, "sock_type": "sctp"}}}
    st, _, reply = sl.admin("PUT", "/apisix/admin/stream_routes/1", body)
    assert (st, reply["error_msg"]) == (400, "failed to check the configuration of stream plugin [syslog]: "
                                             'property "sock_type" validation failed: must be one of tcp, udp, '
                                             'got "sctp"'), reply
    body["plugins"] = {"syslog": {"port": 514}}
    st, _, reply = sl.admin("PUT", "/apisix/admin/stream_routes/1", body)
    assert reply["error_msg"] == ("failed to check the configuration of stream plugin [syslog]: "
                                  'property "host" validation failed: is required'), reply
    body["plugins"] = {"mqttt-proxy": {}}
    st, _, reply = sl.admin("PUT", "/apisix/admin/stream_routes/1", body)
    assert (st, reply) == (400, {"error_msg": "unknown plugin [mqttt-proxy]"})


@pytest.mark.time_limit(60)
def test_entries_still_waiting_for_their_batch_are_sent_at_shutdown(sluice):
    up = echo_server()
    sink = TcpSink()
    sl = sluice(gateway={"stream_routes": [syslog_route(up, port=sink.port, inactive_timeout=60)]})
    sessions(sl.port, 2)
    sl.wait_log(2)
    assert sink.lines == []  # the batch is not due for a minute
    sl.stop()
    assert len(sink.wait(2, timeout=5)) == 2


@pytest.mark.time_limit(60)
def test_plugin_metadata_log_format_and_max_pending_entries_apply_live(sluice):
    """`/apisix/admin/plugin_metadata/syslog`: its `log_format` serves routes whose plugin has none, and its
    `max_pending_entries` bounds what waits for every syslog server together; stored in gateway.yaml, removed by
    DELETE, POST and PATCH refused as APISIX refuses them, metadata for a plugin that has none refused."""
    up = echo_server()
    sink = UdpSink()
    closed = free_port()  # nothing listens: entries for it wait, then are dropped
    live, dead = syslog_route(up, port=sink.port, sock_type="udp", batch_max_size=1), route("2", [up.addr])
    dead["plugins"] = {"syslog": {"host": LOOPBACK, "port": closed, "retry_delay": 0, "inactive_timeout": 60,
                                  "batch_max_size": 1000}}
    sl = sluice(listeners=2, start=False)
    live["server_port"], dead["server_port"] = sl.ports
    sl.write_gateway({"stream_routes": [live, dead]})
    sl.start()

    st, _, reply = sl.admin("PUT", "/apisix/admin/plugin_metadata/syslog",
                            {"log_format": {"who": "$remote_addr", "route": "$route_id"}, "max_pending_entries": 5})
    assert st == 201 and reply["key"] == "/apisix/plugin_metadata/syslog", (st, reply)
    assert "plugin_metadata" in sl.data_path.read_text()
    wait_until(lambda: (sessions(sl.ports[0], 1), sink.messages)[1]
               and '"who"' in sink.messages[-1], 10, "the metadata's log_format used")
    _, e = entry(sink.messages[-1], RFC5424)
    assert e == {"who": "127.0.0.1", "route": "1", "route_id": "1"}, e  # route_id added as APISIX adds it

    # Five entries wait for the dead server; the sixth and later are dropped, as APISIX's backlog drops them.
    sessions(sl.ports[1], 8)

    def dead_sink() -> dict:
        return next(s for s in sl.admin("GET", "/apisix/admin/status")[2]["syslog"]
                    if s["server"] == f"tcp://{LOOPBACK}:{closed}")
    wait_until(lambda: dead_sink()["queued_entries"] + dead_sink()["dropped"] == 8, 10, "8 entries counted")
    assert dead_sink()["queued_entries"] <= 5 and dead_sink()["dropped"] >= 3, dead_sink()

    # APISIX's resource: no POST, no PATCH; metadata only for a plugin that has some.
    st, _, reply = sl.admin("POST", "/apisix/admin/plugin_metadata", {"id": "syslog"})
    assert st == 405 and reply["error_msg"] == "not supported `POST` method for plugin_metadata", (st, reply)
    st, _, reply = sl.admin("PATCH", "/apisix/admin/plugin_metadata/syslog", {"max_pending_entries": 6})
    assert st == 405, (st, reply)
    st, _, reply = sl.admin("PUT", "/apisix/admin/plugin_metadata/limit-conn", {"x": 1})
    assert st == 400 and "has no plugin metadata" in reply["error_msg"], (st, reply)
    st, _, reply = sl.admin("PUT", "/apisix/admin/plugin_metadata/syslog", {"max_pending_entries": 0})
    assert st == 400 and "max_pending_entries" in reply["error_msg"], (st, reply)

    # Deleted: the default fields again.
    st, _, _ = sl.admin("DELETE", "/apisix/admin/plugin_metadata/syslog")
    assert st == 200
    wait_until(lambda: (sessions(sl.ports[0], 1), sink.messages)[1]
               and '"close_reason"' in sink.messages[-1], 10, "the access-log fields again")
    assert "plugin_metadata" not in sl.data_path.read_text()
