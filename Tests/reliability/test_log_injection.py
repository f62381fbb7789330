"""Client-controlled values cannot forge or hide log lines: a server name or PROXY header holding a newline and
terminal escapes reaches the access log and stderr as `\\xHH`."""

from __future__ import annotations

import socket

import pytest

from harness import LOG_FORMAT, LOOPBACK, connect, free_port, route, wait_closed, wait_until
from probes import client_hello

EVIL = b"evil\n127.0.0.1|200|0|0|-|forged|client_closed\x1b[2j\x1b]0;owned\x07"
ESCAPED = "evil\\x0A127.0.0.1|200|0|0|-|forged|client_closed\\x1B[2j\\x1B]0;owned\\x07"


def _sluice_with(sluice, echo, option: str):
    """A sluice with one extra listener carrying `option: true`, logging $ssl_server_name too."""
    port = free_port()
    sl = sluice(start=False, gateway={"stream_routes": [route("1", [f"127.0.0.1:{echo.port}"])]})
    text = sl.config_path.read_text()
    text = text.replace("    tcp:\n", f'    tcp:\n      - addr: "{LOOPBACK}:{port}"\n        {option}: true\n', 1)
    text = text.replace(LOG_FORMAT, LOG_FORMAT + "|$ssl_server_name|$proxy_protocol_addr")
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


def _assert_clean(sl, lines: int) -> list[str]:
    raw = sl.log_path.read_bytes() if sl.log_path.exists() else b""
    assert b"\x1b" not in raw and b"\x07" not in raw, raw
    got = raw.decode().splitlines()
    assert len(got) == lines, got
    assert not any(l.startswith("127.0.0.1|200|0|0|-|forged") for l in got), got
    err = sl.output().encode()
    assert b"\x1b" not in err and b"\x07" not in err, "raw escape sequence on stderr"
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
