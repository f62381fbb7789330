"""mqtt-proxy end to end with real mosquitto brokers and mosquitto_pub/mosquitto_sub: MQTT 3.1.1 and 5.0 (with
CONNECT properties) through Sluice, client-id stickiness over three brokers (each broker's own log says which
client ids it saw), the older in-plugin broker form `upstream: {ip, port}`, and the refusals — wrong level,
non-MQTT bytes, a truncated CONNECT, an oversized one, a client that sends nothing — each with its reason in the
access log and nothing reaching a broker."""

from __future__ import annotations

import re
import socket
import subprocess
import time
from collections import defaultdict
from pathlib import Path

import pytest

from harness import (LOG_FORMAT, LOOPBACK, connect, free_port, register_process, route, wait_closed,
                     wait_until)


class Mosquitto:
    """One mosquitto broker on a loopback port, logging every connection (with its client id) to its own file."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.dir = Path(workdir) / f"mosquitto-{self.port}"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.log_path = self.dir / "mosquitto.log"
        conf = self.dir / "mosquitto.conf"
        conf.write_text("\n".join([
            f"listener {self.port} {LOOPBACK}", "allow_anonymous true", "persistence false", "user root",
            f"log_dest file {self.log_path}", "log_type all", "connection_messages true", ""]))
        self._out = open(self.dir / "stdout", "wb")
        self.proc = subprocess.Popen(["mosquitto", "-c", str(conf)], stdin=subprocess.DEVNULL,
                                     stdout=self._out, stderr=subprocess.STDOUT)
        register_process(self.proc)
        self.addr = f"{LOOPBACK}:{self.port}"
        wait_until(lambda: f"on port {self.port}" in self.log(), 10, f"mosquitto listening on {self.addr}")

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def client_ids(self) -> list[str]:
        """(client id, protocol) of every client that connected, in order (`New client connected from … as ID
        (p2, …)`)."""
        return re.findall(r"New client connected from \S+ as (\S+) \(p(\d)", self.log())

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=5)
        self._out.close()


@pytest.fixture
def brokers(tmp_path):
    started: list[Mosquitto] = []

    def make(n: int) -> list[Mosquitto]:
        for _ in range(n):
            started.append(Mosquitto(tmp_path))
        return started[-n:]
    yield make
    for b in started:
        b.stop()


def mqtt_route(rid: str, nodes: list[str], level: int, **filters) -> dict:
    r = route(rid, nodes, type="chash", **filters)
    r["upstream"].update({"hash_on": "vars", "key": "mqtt_client_id"})
    r["plugins"] = {"mqtt-proxy": {"protocol_name": "MQTT", "protocol_level": level}}
    return r


V5_PROPERTIES = ["-D", "connect", "session-expiry-interval", "30", "-D", "connect", "user-property", "k", "v"]


def version_args(version: str) -> list[str]:
    return ["-V", version] + (V5_PROPERTIES if version == "mqttv5" else [])


def publish(port: int, client_id: str, message: str, version: str = "mqttv311", topic: str = "t/1") -> int:
    p = subprocess.run(["mosquitto_pub", "-h", LOOPBACK, "-p", str(port), "-i", client_id, "-t", topic,
                        "-m", message, *version_args(version)],
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=20)
    return p.returncode


def pub_sub(port: int, broker: Mosquitto, version: str) -> None:
    """A subscriber and a publisher through Sluice: the message arrives."""
    sub_id = f"sub-{version}"
    sub = subprocess.Popen(["mosquitto_sub", "-h", LOOPBACK, "-p", str(port), "-i", sub_id, "-t", f"t/{version}",
                            "-C", "1", "-W", "15", *version_args(version)],
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    register_process(sub)
    wait_until(lambda: f"{sub_id} 0 t/{version}" in broker.log(), 10, f"{sub_id} subscribed at the broker")
    assert publish(port, f"pub-{version}", f"hello {version}", version, topic=f"t/{version}") == 0
    out, _ = sub.communicate(timeout=15)
    assert out.decode().strip() == f"hello {version}", out


@pytest.mark.time_limit(60)
def test_mqtt_311_and_5_publish_and_subscribe_through_sluice(sluice, brokers):
    [b] = brokers(1)
    sl = sluice(listeners=2, start=False)
    sl.write_gateway({"stream_routes": [mqtt_route("v311", [b.addr], 4, server_port=sl.ports[0]),
                                        mqtt_route("v5", [b.addr], 5, server_port=sl.ports[1])]})
    sl.start()
    pub_sub(sl.ports[0], b, "mqttv311")
    pub_sub(sl.ports[1], b, "mqttv5")
    seen = dict(b.client_ids())
    # mosquitto logs the protocol as p2 for MQTT 3.1.1, p5 for 5.0.
    assert seen == {"sub-mqttv311": "2", "pub-mqttv311": "2", "sub-mqttv5": "5", "pub-mqttv5": "5"}, seen
    entries = sl.wait_log(4)
    assert {(e["status"], e["upstream_addr"]) for e in entries} == {("200", b.addr)}, [e["raw"] for e in entries]

    # The wrong level for the route: refused as APISIX refuses it, the broker never sees it.
    assert publish(sl.ports[0], "wrong-level", "x", "mqttv5") != 0
    assert publish(sl.ports[1], "wrong-level", "x", "mqttv311") != 0
    refusals = sl.wait_log(2, where=lambda e: e["close_reason"] == "mqtt_protocol_mismatch")
    assert {(e["status"], e["upstream_addr"]) for e in refusals} == {("503", "-")}
    assert "wrong-level" not in dict(b.client_ids())


@pytest.mark.time_limit(120)
def test_mqtt_client_ids_stick_to_one_broker(sluice, brokers):
    three = brokers(3)
    sl = sluice(gateway={"stream_routes": [mqtt_route("1", [b.addr for b in three], 4)]})
    ids = [f"client-{i}" for i in range(10)]
    for round_ in range(10):
        for cid in ids:
            assert publish(sl.port, cid, f"m{round_}") == 0
    sl.wait_log(100)
    where: dict[str, set[int]] = defaultdict(set)
    counts: dict[str, int] = defaultdict(int)
    for b in three:
        for cid, _ in b.client_ids():
            where[cid].add(b.port)
            counts[cid] += 1
    assert dict(counts) == {cid: 10 for cid in ids}, counts
    assert all(len(ports) == 1 for ports in where.values()), dict(where)
    assert len({p for ports in where.values() for p in ports}) >= 2, f"every id on one broker: {dict(where)}"


@pytest.mark.time_limit(60)
def test_mqtt_broker_inside_the_plugin_older_form(sluice, brokers):
    [b] = brokers(1)
    plugin = {"protocol_name": "MQTT", "protocol_level": 4, "upstream": {"ip": LOOPBACK, "port": b.port}}
    sl = sluice(gateway={"stream_routes": [{"id": "seed", "plugins": {"mqtt-proxy": plugin}}]})
    pub_sub(sl.port, b, "mqttv311")
    entries = sl.wait_log(2, where=lambda e: e["upstream_addr"] == b.addr)  # the subscriber and the publisher
    assert {e["route_id"] for e in entries} == {"seed"}, entries

    # Validated like an inline upstream, through the Admin API too.
    bad = {"plugins": {"mqtt-proxy": {"protocol_level": 4, "upstream": {"ip": LOOPBACK, "port": 70000}}}}
    st, _, reply = sl.admin("PUT", "/apisix/admin/stream_routes/seed", bad)
    assert st == 400 and reply["error_msg"] == ('failed to check the configuration of stream plugin [mqtt-proxy]: '
                                                'property "upstream.port" validation failed: must be 1…65535, '
                                                'got 70000'), (st, reply)
    both = {"plugins": {"mqtt-proxy": plugin}, "upstream": {"nodes": {b.addr: 1}}}
    st, _, reply = sl.admin("PUT", "/apisix/admin/stream_routes/seed", both)
    assert st == 400 and "the broker is given twice" in str(reply), (st, reply)


@pytest.mark.time_limit(90)
def test_traffic_split_matches_the_mqtt_client_id(sluice, brokers):
    """traffic-split's match reads what mqtt-proxy's preread found: `sensor-…` client ids go to their own broker
    (and among sensors, `sensor-eu-…` ones by a regex to a third), every other id to the route's own broker."""
    own, sensors, eu = brokers(3)
    r = mqtt_route("1", [own.addr], 4)
    r["plugins"]["traffic-split"] = {"rules": [
        {"match": [{"vars": [["mqtt_client_id", "~~", "^sensor-eu-"]]}],
         "weighted_upstreams": [{"upstream": {"type": "roundrobin", "nodes": {eu.addr: 1}}}]},
        {"match": [{"vars": [["mqtt_client_id", "~*", "^SENSOR-"]]}],
         "weighted_upstreams": [{"upstream": {"type": "roundrobin", "nodes": {sensors.addr: 1}}}]}]}
    sl = sluice(gateway={"stream_routes": [r]})
    for cid in ["sensor-1", "app-1", "sensor-eu-1", "Sensor-2", "app-2", "sensor-eu-2"]:
        assert publish(sl.port, cid, "m") == 0, cid
    sl.wait_log(6)
    assert [c for c, _ in own.client_ids()] == ["app-1", "app-2"]
    assert [c for c, _ in sensors.client_ids()] == ["sensor-1", "Sensor-2"]
    assert [c for c, _ in eu.client_ids()] == ["sensor-eu-1", "sensor-eu-2"]


def connect_packet(client_id: bytes, level: int = 4) -> bytes:
    body = b"\x00\x04MQTT" + bytes([level, 0x02, 0, 60]) + (b"\x00" if level == 5 else b"")
    body += len(client_id).to_bytes(2, "big") + client_id
    return bytes([0x10, len(body)]) + body


def closed_without_reply(s: socket.socket, timeout: float) -> bool:
    got, _ = wait_closed(s, timeout)
    s.close()
    return got == b""


@pytest.mark.time_limit(90)
def test_mqtt_refusals_each_have_their_reason(sluice, brokers):
    [b] = brokers(1)
    sl = sluice(gateway={"stream_routes": [mqtt_route("1", [b.addr], 4)]})
    # Two clients that stop: one sends nothing, one half a CONNECT — both closed at the preread timeout (30 s).
    t0 = time.monotonic()
    silent = connect(sl.port, timeout=40)
    stalled = connect(sl.port, timeout=40)
    stalled.sendall(connect_packet(b"stalled")[:9])

    garbage = connect(sl.port)
    garbage.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert closed_without_reply(garbage, 5)
    [e] = sl.wait_log(1, where=lambda e: e["close_reason"] == "mqtt_malformed")
    assert (e["status"], e["upstream_addr"]) == ("400", "-"), e

    truncated = connect(sl.port)
    truncated.sendall(connect_packet(b"truncated")[:12])
    truncated.shutdown(socket.SHUT_WR)
    assert closed_without_reply(truncated, 5)
    [e] = sl.wait_log(1, where=lambda e: e["close_reason"] == "mqtt_truncated")
    assert (e["status"], e["upstream_addr"], e["bytes_received"]) == ("400", "-", "12"), e

    oversized = connect(sl.port)
    # A client id of 65,535 bytes cannot fit the 64 KiB preread buffer: refused from its length alone.
    oversized.sendall(b"\x10\x8b\x80\x04\x00\x04MQTT\x04\x02\x00\x3c\xff\xff")
    assert closed_without_reply(oversized, 5)
    [e] = sl.wait_log(1, where=lambda e: e["close_reason"] == "mqtt_oversized")
    assert (e["status"], e["upstream_addr"]) == ("400", "-"), e

    assert closed_without_reply(silent, 40) and closed_without_reply(stalled, 40)
    took = time.monotonic() - t0
    assert 25 < took < 40, f"closed after {took:.1f} s; the preread timeout is 30 s"
    [e] = sl.wait_log(1, where=lambda e: e["close_reason"] == "mqtt_timeout")
    assert (e["status"], e["bytes_received"]) == ("400", "0"), e
    stalled_entries = sl.wait_log(2, where=lambda e: e["close_reason"] == "mqtt_truncated")
    assert {e["bytes_received"] for e in stalled_entries} == {"12", "9"}, stalled_entries
    assert b.client_ids() == [], "a refused client reached the broker"


@pytest.mark.time_limit(60)
def test_the_access_log_shows_the_mqtt_client_id(sluice, brokers):
    """`$mqtt_client_id` in `log_format`: the id mqtt-proxy read from the CONNECT, escaped; `-` without one."""
    [b] = brokers(1)
    sl = sluice(start=False, gateway={"stream_routes": [mqtt_route("1", [b.addr], 4)]})
    text = sl.config_path.read_text()
    sl.config_path.write_text(text.replace(f"format: '{LOG_FORMAT}'", f"format: '{LOG_FORMAT}|$mqtt_client_id'", 1))
    sl.start()
    assert publish(sl.port, 'meter"7', "m") == 0
    [entry] = sl.wait_log(1)
    assert entry["raw"].endswith('|meter\\x227'), entry["raw"]
    c = connect(sl.port)  # not MQTT: refused before any id is read
    c.sendall(b"GET / HTTP/1.0\r\n\r\n")
    wait_closed(c, 5)
    entries = sl.wait_log(2)
    assert entries[1]["raw"].endswith("|-"), entries[1]["raw"]
