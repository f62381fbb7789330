"""UDP sessions cost little memory (issue 12 item 10): each once held a 64 KiB receive buffer of its own (70 KiB
RSS per session); now a session keeps a socket and a few small objects, and replies of any size still arrive
whole."""

from __future__ import annotations

import socket

import pytest

from harness import LOOPBACK, free_port
from probes import rss_kib, udp_echo


@pytest.mark.time_limit(120)
def test_two_thousand_udp_sessions_cost_under_8_kib_each(sluice):
    node = udp_echo()
    port = free_port()
    sl = sluice(start=False, gateway={"stream_routes": [{"id": "u", "upstream": {"nodes": {node: 1}}}]})
    text = sl.config_path.read_text()
    sl.config_path.write_text(text.replace("  admin:\n", f'    udp:\n      - "{LOOPBACK}:{port}"\n  admin:\n', 1))
    sl.start()
    warm = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    warm.settimeout(5)
    warm.sendto(b"x" * 65000, (LOOPBACK, port))
    assert len(warm.recv(65536)) == 65000  # a reply of near the largest size arrives whole
    before = rss_kib(sl.pid)
    clients = []
    for i in range(2000):
        c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        c.settimeout(5)
        c.sendto(b"%d" % i, (LOOPBACK, port))
        assert c.recv(100) == b"%d" % i
        clients.append(c)
    per_session = (rss_kib(sl.pid) - before) * 1024 / len(clients)
    for c in clients:
        c.close()
    warm.close()
    assert per_session < 8 * 1024, f"{per_session:.0f} bytes of RSS per UDP session"
