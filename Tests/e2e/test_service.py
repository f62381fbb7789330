"""Running as a system service: systemd's notify protocol, SIGUSR1 log reopening, the unit file, --version,
and a bind failure that names the address and the reason."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

from harness import (LOOPBACK, REPO_ROOT, connect, echo_roundtrip, free_port, register_closer, register_process,
                     route, wait_until)

UNIT = REPO_ROOT / "packaging" / "sluice.service"


class NotifySocket:
    """A unix datagram socket standing in for systemd's $NOTIFY_SOCKET: a path, or `@name` (abstract)."""

    def __init__(self, name: str):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind("\0" + name[1:] if name.startswith("@") else name)
        self.sock.settimeout(15)
        self.name = name
        register_closer(self.sock.close)

    def next(self) -> dict[str, str]:
        data = self.sock.recv(4096).decode()
        return dict(line.split("=", 1) for line in data.splitlines() if "=" in line)


@pytest.mark.time_limit(60)
@pytest.mark.parametrize("kind", ["path", "abstract"])
def test_notify_ready_after_binding_reloading_on_sighup_stopping_on_sigterm(sluice, echo, tmp_path, monkeypatch,
                                                                             kind):
    notify = NotifySocket(str(tmp_path / "notify.sock") if kind == "path" else f"@sluice-e2e-{os.getpid()}")
    monkeypatch.setenv("NOTIFY_SOCKET", notify.name)
    sl = sluice(start=False, gateway={"stream_routes": [route("1", [echo.addr])]})
    sl.start(wait=False)

    ready = notify.next()
    assert ready.get("READY") == "1", ready
    assert sl.is_listening(sl.port) and sl.is_listening(sl.admin_port), "READY=1 came before the listeners were bound"
    assert echo_roundtrip(connect(sl.port), b"up\n") == b"up\n"

    sl.reload()
    reloading = notify.next()
    assert reloading.get("RELOADING") == "1", reloading
    assert int(reloading["MONOTONIC_USEC"]) > 0
    assert notify.next().get("READY") == "1"

    sl.signal(signal.SIGTERM)
    assert notify.next().get("STOPPING") == "1"
    assert sl.wait_exit(10) == 0


@pytest.mark.time_limit(60)
def test_without_notify_socket_nothing_changes(sluice, echo, monkeypatch):
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    sl = sluice(gateway={"stream_routes": [route("1", [echo.addr])]})
    assert echo_roundtrip(connect(sl.port), b"x\n") == b"x\n"


@pytest.mark.time_limit(60)
def test_sigusr1_reopens_the_access_log_after_a_rename(sluice, echo):
    sl = sluice(gateway={"stream_routes": [route("before", [echo.addr])]})
    for i in range(3):
        s = connect(sl.port)
        assert echo_roundtrip(s, b"%d\n" % i) == b"%d\n" % i
        s.close()
    sl.wait_log(3)
    rotated = sl.log_path.with_name("access.log.1")
    os.rename(sl.log_path, rotated)

    sl.signal(signal.SIGUSR1)
    wait_until(sl.log_path.exists, 5, "sluice to create a new access log after SIGUSR1")
    s = connect(sl.port)
    assert echo_roundtrip(s, b"after\n") == b"after\n"
    s.close()
    new = sl.wait_log(1)
    assert len(new) == 1 and new[0]["route_id"] == "before"

    old = rotated.read_text().splitlines()
    assert len(old) == 3, f"the rotated file changed after SIGUSR1: {old}"
    assert sl.alive()


def test_a_listeners_own_access_log_takes_its_sessions_and_sigusr1_reopens_it(sluice, echo):
    sl = sluice(listeners=2, start=False, gateway={"stream_routes": [route("both", [echo.addr])]})
    own = sl.dir / "logs" / "own.log"
    text = sl.config_path.read_text()
    plain = f'      - "{LOOPBACK}:{sl.ports[1]}"\n'
    assert plain in text
    sl.config_path.write_text(text.replace(plain, f'      - addr: "{LOOPBACK}:{sl.ports[1]}"\n'
                                                  "        access_log: {path: logs/own.log, format: 'own $server_port'}\n"))
    sl.start()

    def talk(port: int) -> None:
        s = connect(port)
        assert echo_roundtrip(s, b"x\n") == b"x\n"
        s.close()

    talk(sl.ports[0])
    talk(sl.ports[1])
    line = f"own {sl.ports[1]}"
    wait_until(lambda: own.exists() and own.read_text().splitlines() == [line], 5, "the listener's own log line")
    assert [e["route_id"] for e in sl.wait_log(1)] == ["both"]  # the main log has the other listener's only

    rotated = own.with_name("own.log.1")
    os.rename(own, rotated)
    sl.signal(signal.SIGUSR1)
    wait_until(own.exists, 5, "sluice to create a new own.log after SIGUSR1")
    talk(sl.ports[1])
    wait_until(lambda: own.read_text().splitlines() == [line], 5, "the new session in the new own.log")
    assert rotated.read_text().splitlines() == [line], "the rotated file changed after SIGUSR1"
    assert len(sl.log_entries()) == 1


def _unit_keys(text: str) -> dict[str, list[str]]:
    keys: dict[str, list[str]] = {}
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith(("#", "[")) and "=" in line:
            k, v = line.split("=", 1)
            keys.setdefault(k, []).append(v)
    return keys


def test_unit_file_has_what_a_gateway_service_needs():
    keys = _unit_keys(UNIT.read_text())
    assert keys["Type"] == ["notify"]
    assert keys["ExecStartPre"][0].split()[1] == "validate" and "--config" in keys["ExecStartPre"][0]
    assert "--headless" in keys["ExecStart"][0].split()
    assert keys["ExecReload"] == ["/bin/kill -HUP $MAINPID"]
    assert int(keys["LimitNOFILE"][0]) >= 65536
    assert keys["NoNewPrivileges"] == ["yes"]
    assert keys["ProtectSystem"] == ["strict"]
    assert "/etc/sluice" in keys["ReadWritePaths"][0].split()
    assert keys["CapabilityBoundingSet"] == ["CAP_NET_BIND_SERVICE"]
    assert keys["AmbientCapabilities"] == ["CAP_NET_BIND_SERVICE"]
    assert keys["User"] == ["sluice"]
    config = keys["ExecStart"][0].split("--config", 1)[1].split()[0]
    assert keys["ExecStartPre"][0].split("--config", 1)[1].split()[0] == config


@pytest.mark.time_limit(60)
def test_systemd_analyze_verify_accepts_the_unit(sluice_bin, tmp_path):
    analyze = shutil.which("systemd-analyze")
    if not analyze:
        if os.environ.get("CI"):
            pytest.fail("systemd-analyze is not installed (scripts/install-test-deps.sh)", pytrace=False)
        pytest.skip("systemd-analyze is not installed")
    # The unit names the installed binary; point it at the one under test so that verify can check it.
    unit = tmp_path / "sluice.service"
    unit.write_text(UNIT.read_text().replace("/usr/local/bin/sluice", sluice_bin))
    p = subprocess.run([analyze, "verify", "--man=no", str(unit)], capture_output=True, text=True, timeout=60)
    # verify exits 0 even for values it ignores ("Failed to parse …, ignoring"): any line about the unit fails.
    problems = [line for line in (p.stdout + p.stderr).splitlines() if "sluice.service" in line]
    assert p.returncode == 0 and not problems, p.stdout + p.stderr


def test_version_names_version_commit_swift_and_libraries(sluice_bin):
    out = subprocess.run([sluice_bin, "--version"], capture_output=True, text=True, timeout=20)
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert re.match(r"sluice \d+\.\d+\.\d+", text), text
    assert re.search(r"^commit [0-9a-f]{7,}", text, re.M), text
    assert re.search(r"^Swift \d+\.\d+", text, re.M), text
    for library in ("swift-nio", "swift-nio-ssl", "yams", "swift-argument-parser"):
        assert re.search(rf"^{library} \d+\.\d+\.\d+$", text, re.M), f"{library} missing from:\n{text}"


@pytest.mark.time_limit(60)
def test_a_bind_failure_names_the_address_and_the_reason(sluice, echo):
    taken = socket.socket()
    taken.bind((LOOPBACK, 0))
    taken.listen(1)
    register_closer(taken.close)
    port = taken.getsockname()[1]
    sl = sluice(start=False, ports=[port], gateway={"stream_routes": [route("1", [echo.addr])]})
    sl.start(wait=False)
    assert sl.wait_exit(15) == 1
    out = sl.output()
    assert f"{LOOPBACK}:{port}" in out and "Address already in use" in out, out


def _free_low_port() -> int:
    for port in range(1000, 1024):
        s = socket.socket()
        try:
            s.bind((LOOPBACK, port))
            return port
        except OSError:
            continue
        finally:
            s.close()
    pytest.skip("no free port in 1000-1023")


@pytest.mark.time_limit(60)
def test_a_port_below_1024_needs_root_or_the_capability(sluice_bin):
    setpriv = shutil.which("setpriv")
    if os.geteuid() != 0 or not setpriv:
        pytest.skip("needs root and setpriv to run sluice as nobody")
    port = _free_low_port()
    folder = Path(tempfile.mkdtemp(prefix="sluice-lowport-"))
    register_closer(lambda: shutil.rmtree(folder, ignore_errors=True))
    admin_port = free_port()
    (folder / "config.yaml").write_text(
        f'sluice:\n  stream_proxy:\n    tcp: ["{LOOPBACK}:{port}"]\n'
        f'  admin:\n    listen: "{LOOPBACK}:{admin_port}"\n    key: "low-port-test-key-000000"\n')
    folder.chmod(0o755)
    os.chown(folder, 65534, 65534)
    os.chown(folder / "config.yaml", 65534, 65534)
    as_nobody = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]
    run = [sluice_bin, "--headless", "--config", str(folder / "config.yaml")]

    denied = subprocess.run(as_nobody + run, cwd=folder, capture_output=True, text=True, timeout=30)
    assert denied.returncode == 1
    assert f"{LOOPBACK}:{port}" in denied.stderr and "Permission denied" in denied.stderr, denied.stderr

    with_cap = subprocess.Popen(as_nobody + ["--inh-caps=+net_bind_service", "--ambient-caps=+net_bind_service"] + run,
                                cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    register_process(with_cap)

    def listening() -> bool:
        assert with_cap.poll() is None, with_cap.stderr.read() if with_cap.stderr else ""
        with open("/proc/net/tcp") as f:
            return any(p[3] == "0A" and int(p[1].rsplit(":", 1)[1], 16) == port for p in (l.split() for l in f))
    wait_until(listening, 15, f"sluice as nobody with CAP_NET_BIND_SERVICE to listen on {port}")
    with_cap.send_signal(signal.SIGTERM)
    assert with_cap.wait(timeout=30) == 0  # a drain with nothing open; 15 s was once too short on a loaded box
