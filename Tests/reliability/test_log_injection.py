"""Client-controlled values cannot forge or hide log lines: a server name, a PROXY header (v1 and v2, with TLVs
such as the authority) or an MQTT client id or protocol name holding newlines, terminal escapes, quotes, DEL, C1
controls or bytes that are not UTF-8 reaches the access log and stderr as `\\xHH` (or not at all) and a syslog
server as JSON escapes, one line per session."""

from __future__ import annotations

import socket

import pytest

from harness import (LOG_FORMAT, LOOPBACK, connect, echo_roundtrip, free_port, recv_exact, route, wait_closed,
                     wait_until)
from probes import client_hello, ipv4_block, proxy_v2
from test_mqtt_proxy import connect_packet, mqtt_route
from test_syslog import RFC5424, TcpSink, entry

EVIL = b"evil\n127.0.0.1|200|0|0|-|forged|client_closed\x1b[2j\x1b]0;owned\x07"
ESCAPED = "evil\\x0A127.0.0.1|200|0|0|-|forged|client_closed\\x1B[2j\\x1B]0;owned\\x07"


def _sluice_with(sluice, echo, option: str):
    """A sluice with one extra listener carrying `option: true`, logging $ssl_server_name, $proxy_protocol_addr
    and $realip_remote_addr too."""
    port = free_port()
    sl = sluice(start=False, gateway={"stream_routes": [route("1", [f"127.0.0.1:{echo.port}"])]})
    text = sl.config_path.read_text()
    text = text.replace("    tcp:\n", f'    tcp:\n      - addr: "{LOOPBACK}:{port}"\n        {option}: true\n', 1)
    text = text.replace(LOG_FORMAT, LOG_FORMAT + "|$ssl_server_name|$proxy_protocol_addr|$realip_remote_addr")
    text = text.replace("  admin:\n", '    real_ip_from: ["127.0.0.0/8"]\n  admin:\n', 1)
    sl.config_path.write_text(text)
    sl.start()
    wait_until(lambda: sl.is_listening(port), 10, "the extra listener")
    sl.extra_port = port
    return sl


def _send_and_wait_close(port: int, data: bytes) -> None:
    s = connect(port, timeout=5)
    try:
        s.sendall(data)
    except OSError:
        pass
    wait_closed(s, 10)
    s.close()


# Bytes that must never reach a log raw: they end lines, drive terminals (ESC, BEL, DEL, C1 CSI as UTF-8) or are
# not UTF-8 at all.
RAW = [b"\r", b"\x1b", b"\x07", b"\x7f", b"\xc2\x9b", b"\xff"]


def _assert_no_raw(what: str, data: bytes) -> None:
    for raw in RAW:
        assert raw not in data, f"raw {raw!r} in {what}: {data!r}"


def _assert_clean(sl, lines: int) -> list[str]:
    raw = sl.log_path.read_bytes() if sl.log_path.exists() else b""
    _assert_no_raw("the access log", raw)
    got = raw.decode().splitlines()
    assert len(got) == lines, got
    assert not any(l.startswith("127.0.0.1|200|0|0|-|forged") for l in got), got
    err = sl.stderr_path.read_bytes() if sl.stderr_path.exists() else b""
    _assert_no_raw("stderr", err)
    assert b"\nforged" not in err and b"\n127.0.0.1|200" not in err
    return got


@pytest.mark.time_limit(60)
def test_server_name_on_a_tls_listener_is_escaped(sluice, echo):
    sl = _sluice_with(sluice, echo, "tls")
    _send_and_wait_close(sl.extra_port, client_hello(EVIL))
    sl.wait_log(1)
    line = _assert_clean(sl, 1)[0]
    assert ESCAPED in line, line
    wait_until(lambda: ESCAPED in sl.output(), 5, "the refusal on stderr, escaped")


@pytest.mark.time_limit(60)
def test_server_name_on_a_passthrough_listener_is_refused_and_clean(sluice, echo):
    sl = _sluice_with(sluice, echo, "tls_passthrough")
    _send_and_wait_close(sl.extra_port, client_hello(EVIL))
    e = sl.wait_log(1)[0]
    assert e["close_reason"] == "bad_client_hello", e["raw"]
    _assert_clean(sl, 1)


@pytest.mark.time_limit(60)
@pytest.mark.parametrize("header", [
    b"PROXY TCP4 127.0.0.9\n\x1b[2J 127.0.0.1 1 2\r\n",
    b"PROXY TCP4 127.0.0.9 127.0.0.1 1 2\x1b[31m\r\n",
])
def test_proxy_header_garbage_is_logged_clean(sluice, echo, header):
    sl = _sluice_with(sluice, echo, "proxy_protocol")
    _send_and_wait_close(sl.extra_port, header + b"ping\n")
    sl.wait_log(1)
    _assert_clean(sl, 1)


def _echo_through(port: int, data: bytes) -> None:
    """Sends `data` (a header, then `ping\\n`), reads the echo of the payload and closes."""
    s = connect(port, timeout=5)
    s.sendall(data)
    assert recv_exact(s, 5) == b"ping\n"
    s.close()


# A v2 header from 127.0.0.9:1234 whose TLVs carry hostile bytes: the authority (0x02) a forged line with escapes,
# ALPN (0x01) bytes that are not UTF-8, a unique id (0x05) quotes and DEL, a custom type (0xE0) a C1 CSI.
HOSTILE_TLVS = [(0x02, EVIL), (0x01, b"\xff\xfe\n\x1b[2J"), (0x05, b'"quoted"\x7f\\'), (0xE0, "\u009b31m".encode())]


@pytest.mark.time_limit(60)
@pytest.mark.parametrize("header, source", [
    (proxy_v2(0x11, ipv4_block("127.0.0.9", 1234, "127.0.0.1", 80), HOSTILE_TLVS), "127.0.0.9"),
    (proxy_v2(0x31, b"/tmp/evil\n\x1b[2J\xff".ljust(108, b"\x00") + EVIL[:108].ljust(108, b"\x00"), HOSTILE_TLVS),
     "127.0.0.1"),
    (b"PROXY UNKNOWN " + EVIL.replace(b"\n", b" ") + b'"\xff\x7f\r\n', "127.0.0.1"),
], ids=["v2-inet-tlvs", "v2-unix-paths", "v1-unknown-junk"])
def test_proxy_header_contents_never_reach_a_log(sluice, echo, header, source):
    """What a PROXY header carries besides its IP addresses (TLVs, AF_UNIX paths, the rest of a v1 UNKNOWN line)
    is accepted and not logged; `$remote_addr` and `$proxy_protocol_addr` are the header's source as the parser
    normalised it (the real peer, and `-`, when the header has no IP addresses), `$realip_remote_addr` the sender of
    the header, as nginx's variables say."""
    sl = _sluice_with(sluice, echo, "proxy_protocol")
    _echo_through(sl.extra_port, header + b"ping\n")
    sl.wait_log(1)
    [line] = _assert_clean(sl, 1)
    fields = line.split("|")
    header_source = "-" if source == "127.0.0.1" else source
    assert (fields[0], fields[1], fields[-2], fields[-1]) == (source, "200", header_source, "127.0.0.1"), line
    assert "evil" not in line and "owned" not in line, line


@pytest.mark.time_limit(60)
def test_a_broken_v2_header_with_hostile_tlvs_is_refused_clean(sluice, echo):
    header = proxy_v2(0x11, ipv4_block("127.0.0.9", 1, "127.0.0.1", 2), HOSTILE_TLVS + [(0x02, b"x" * 40)], length=40)
    sl = _sluice_with(sluice, echo, "proxy_protocol")
    _send_and_wait_close(sl.extra_port, header + EVIL)
    e = sl.wait_log(1)[0]
    assert e["close_reason"] == "bad_proxy_header", e["raw"]
    _assert_clean(sl, 1)


# An MQTT client id (valid UTF-8, as MQTT requires) made to forge a syslog line and an access-log line and to drive
# a terminal: newline, CR, ESC, BEL, quotes, backslash, DEL and the C1 CSI.
EVIL_ID = 'id\n<46>1 2026-12-01T00:00:00.000Z h sluice 1 - - {"forged":1}\r\x1b[2J\x1b]0;x\x07"q"\\\x7f\u009b31m'


def _connect_named(protocol_name: bytes) -> bytes:
    """A level-4 CONNECT (client id `id`) whose protocol name is `protocol_name` instead of `MQTT`."""
    body = connect_packet(b"id")[2:].replace(b"\x00\x04MQTT", len(protocol_name).to_bytes(2, "big") + protocol_name)
    return bytes([0x10, len(body)]) + body


def _mqtt_sluice(sluice, echo, sink: TcpSink):
    """An mqtt-proxy route (level 4) to the echo server, sending `{"client_id": $mqtt_client_id}` to `sink`."""
    r = mqtt_route("1", [f"127.0.0.1:{echo.port}"], 4)
    r["plugins"]["syslog"] = {"host": LOOPBACK, "port": sink.port, "sock_type": "tcp", "batch_max_size": 1,
                              "log_format": {"client_id": "$mqtt_client_id", "reason": "$close_reason"}}
    return sluice(gateway={"stream_routes": [r]})


@pytest.mark.time_limit(60)
def test_mqtt_client_id_reaches_syslog_as_json_escapes_and_forges_nothing(sluice, echo):
    sink = TcpSink()
    sl = _mqtt_sluice(sluice, echo, sink)
    packet = connect_packet(EVIL_ID.encode())
    s = connect(sl.port, timeout=5)
    assert echo_roundtrip(s, packet) == packet
    s.close()
    [line] = sink.wait(1)
    _assert_no_raw("the syslog line", line.encode())
    _, e = entry(line, RFC5424)
    assert e["client_id"] == EVIL_ID and e["reason"] == "client_closed", e
    sl.wait_log(1)
    _assert_clean(sl, 1)
    assert len(sink.lines) == 1, sink.lines


@pytest.mark.time_limit(60)
@pytest.mark.parametrize("packet, reason, said", [
    # A protocol name the route does not expect: refused, the name quoted on stderr, escaped.
    (_connect_named(b"MQ\nTT\x1b[2J\x7f\""), "mqtt_protocol_mismatch", "but got MQ\\x0ATT\\x1B[2J\\x7F\""),
    # A client id that is not UTF-8: refused as malformed, the bytes never shown.
    (connect_packet(b"\xff\xfe\n\x1b[2J"), "mqtt_malformed", "client id is not valid UTF-8"),
], ids=["protocol-name", "non-utf8-client-id"])
def test_mqtt_refusals_log_the_client_bytes_escaped(sluice, echo, packet, reason, said):
    sink = TcpSink()
    sl = _mqtt_sluice(sluice, echo, sink)
    _send_and_wait_close(sl.port, packet)
    e = sl.wait_log(1)[0]
    assert e["close_reason"] == reason, e["raw"]
    _assert_clean(sl, 1)
    wait_until(lambda: said in sl.output(), 5, f"the refusal on stderr: {said}")
    [line] = sink.wait(1)
    _assert_no_raw("the syslog line", line.encode())
    assert entry(line, RFC5424)[1] == {"reason": reason, "route_id": "1"}, line
