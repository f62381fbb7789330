"""The operator console, end to end: `sluice` (no --headless) in a private tmux server.

Each test starts its own tmux server (`tmux -L <unique socket>`) running
`sluice --config …` in an 80×24 pane, drives it with `send-keys` and reads it
with `capture-pane`; every wait polls the screen against a deadline.  After
sluice exits, the pane's shell writes its exit status to `console.rc` and
prints `EXITED <status>`.

Without tmux the tests are skipped; under CI ($CI set) that is a failure
(scripts/install-test-deps.sh installs tmux).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import time
import uuid
from pathlib import Path

import pytest

import harness
from harness import LOOPBACK, Timeout, ask_new, connect, echo_roundtrip, named_server, wait_closed, wait_until

COLOR_SGR = re.compile(r"^(3[0-8]|4[0-8]|9[0-7]|10[0-7])$")  # 39/49 (default colours) are not colours
SGR = re.compile(r"\x1b\[([0-9;:]*)m")
BYTES = re.compile(r"(\d+(?:\.\d+)? (?:B|KiB|MiB|GiB))(?!/s)")


@pytest.fixture(scope="session")
def tmux_bin() -> str:
    exe = shutil.which("tmux")
    if not exe:
        msg = "tmux is not installed (scripts/install-test-deps.sh installs it); the console tests need a terminal"
        if os.environ.get("CI"):
            pytest.fail(msg + " — required under CI", pytrace=False)
        pytest.skip(msg)
    return exe


class PaneProcess:
    """sluice running in a tmux pane, as a Popen-like object (it is the pane shell's child, not ours):
    enough for harness.Sluice (alive, pid, signals) and harness.kill_everything."""

    def __init__(self, pid: int, rc_path: Path):
        self.pid = pid
        self.rc_path = rc_path
        self.returncode: int | None = None

    def _gone(self) -> bool:
        try:
            with open(f"/proc/{self.pid}/stat") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
            return state in ("Z", "X")
        except (FileNotFoundError, ProcessLookupError, IndexError):
            return True

    def poll(self) -> int | None:
        if self.returncode is not None:
            return self.returncode
        if not self._gone():
            return None
        # the pane's shell writes the status right after sluice exits
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            try:
                text = self.rc_path.read_text().strip()
                if text:
                    self.returncode = int(text)
                    return self.returncode
            except (FileNotFoundError, ValueError):
                pass
            time.sleep(0.02)
        self.returncode = -1  # the shell died too (tmux server gone): status unknown
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() >= deadline:
                raise subprocess.TimeoutExpired(f"sluice pid {self.pid}", timeout)
            time.sleep(0.02)
        return self.returncode

    def send_signal(self, sig: int) -> None:
        if not self._gone():
            os.kill(self.pid, sig)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class Console:
    """A tmux server with one pane running `sluice --config DIR/config.yaml`."""

    def __init__(self, tmux: str, sl: harness.Sluice, cols: int = 80, rows: int = 24,
                 no_color: bool = False):
        self.tmux = tmux
        self.sl = sl
        self.cols, self.rows = cols, rows
        self.no_color = no_color
        self.socket = f"sluice-e2e-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.rc_path = sl.dir / "console.rc"
        self.target = "console"
        self.server_up = False
        self.socket_path = ""
        env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TMUX", "TMUX_PANE")}
        env["SHELL"] = "/bin/sh"
        self.env = env

    # -- tmux ----------------------------------------------------------------
    def tmux_cmd(self, *args: str, check: bool = True) -> str:
        p = subprocess.run([self.tmux, "-L", self.socket, "-f", "/dev/null", *args], env=self.env,
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=10)
        if check and p.returncode != 0:
            raise AssertionError(f"tmux {' '.join(args)} failed: {p.stderr.decode(errors='replace')}")
        return p.stdout.decode("utf-8", errors="replace")

    def start(self) -> "Console":
        sl = self.sl
        q = shlex.quote
        cmd = (f"cd {q(str(sl.dir))} && {q(sl.binary)} --config {q(str(sl.config_path))}; "
               f"rc=$?; echo $rc > {q(str(self.rc_path))}; echo EXITED $rc; exec sleep 600")
        env_args = ["-e", "LANG=C.UTF-8", "-e", "LC_ALL=C.UTF-8", "-e", "TERM=tmux-256color"]
        if self.no_color:
            env_args += ["-e", "NO_COLOR=1"]
        self.tmux_cmd("-u", "new-session", "-d", "-s", self.target, "-x", str(self.cols), "-y", str(self.rows),
                      *env_args, cmd)
        self.server_up = True
        harness.register_closer(self.kill_server)
        self.socket_path = self.display("#{socket_path}")
        shell_pid = int(self.tmux_cmd("display-message", "-p", "-t", self.target, "#{pane_pid}").strip())
        pid = wait_until(lambda: self._child_of(shell_pid), 10, "sluice to start in the tmux pane")
        sl.proc = PaneProcess(pid, self.rc_path)
        harness.register_process(sl.proc)
        for p in sl.ports + [sl.admin_port]:
            sl.wait_listening(p, 15)
        return self

    @staticmethod
    def _child_of(ppid: int) -> int | None:
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            try:
                with open(f"/proc/{d}/stat") as f:
                    rest = f.read().rsplit(")", 1)[1].split()
                with open(f"/proc/{d}/comm") as f:
                    comm = f.read().strip()
            except OSError:
                continue
            if int(rest[1]) == ppid and comm.startswith("sluice"):
                return int(d)
        return None

    def kill_server(self) -> None:
        if self.server_up:
            self.server_up = False
            self.tmux_cmd("kill-server", check=False)
            if self.socket_path:  # tmux 3.3 leaves the socket file behind
                try:
                    os.unlink(self.socket_path)
                except OSError:
                    pass

    def keys(self, *names: str) -> None:
        """tmux key names: Down, Enter, Escape, F2, Space, or single characters."""
        self.tmux_cmd("send-keys", "-t", self.target, *names)

    def type(self, text: str) -> None:
        self.tmux_cmd("send-keys", "-t", self.target, "-l", "--", text)

    def resize(self, cols: int, rows: int) -> None:
        self.tmux_cmd("resize-window", "-t", self.target, "-x", str(cols), "-y", str(rows))

    def display(self, fmt: str) -> str:
        return self.tmux_cmd("display-message", "-p", "-t", self.target, fmt).strip()

    # -- the screen ----------------------------------------------------------
    def screen(self) -> str:
        return self.tmux_cmd("capture-pane", "-p", "-t", self.target)

    def lines(self) -> list[str]:
        return self.screen().split("\n")

    def screen_sgr(self) -> str:
        return self.tmux_cmd("capture-pane", "-p", "-e", "-t", self.target)

    def wait_for(self, cond, timeout: float = 10.0, what: str | None = None):
        """Poll the screen until `cond` (a substring, or a function of the screen text) holds."""
        check = (lambda s: cond in s) if isinstance(cond, str) else cond
        last = [""]

        def probe():
            last[0] = self.screen()
            return check(last[0])
        try:
            return wait_until(probe, timeout, what or f"{cond!r} on the console", interval=0.05)
        except Timeout as e:
            raise Timeout(f"{e}; the screen:\n{last[0]}") from None

    def wait_gone(self, text: str, timeout: float = 10.0):
        return self.wait_for(lambda s: text not in s, timeout, f"{text!r} to leave the console")

    def row(self, prefix: str) -> str | None:
        for line in self.lines():
            if line.startswith(prefix):
                return line
        return None

    def sluice_log(self, n: int = 30) -> str:
        try:
            return "\n".join((self.sl.dir / "logs" / "sluice.log").read_text(errors="replace").splitlines()[-n:])
        except FileNotFoundError:
            return "(no logs/sluice.log)"


@pytest.fixture
def console(tmux_bin, sluice, request):
    """Factory: `console(gateway=…, listeners=…, cols=80, rows=24, no_color=False)` writes a config folder
    (harness.Sluice), starts sluice in a fresh tmux server and waits for its listeners."""
    made: list[Console] = []

    def make(*, cols: int = 80, rows: int = 24, no_color: bool = False, gateway=None, **kw) -> Console:
        kw.setdefault("drain_timeout", 1)
        sl = sluice(start=False, **kw)
        if callable(gateway):
            gateway = gateway(sl)
        if gateway is not None:
            sl.write_gateway(gateway)
        c = Console(tmux_bin, sl, cols=cols, rows=rows, no_color=no_color)
        made.append(c)
        return c.start()

    yield make

    rep = getattr(request.node, "rep_call", None)
    failed = rep is None or rep.failed
    problems = []
    for c in made:
        if failed:
            try:
                print(f"--- console screen ({c.socket}) ---\n{c.screen() if c.server_up else '(server gone)'}")
            except Exception as e:  # noqa: BLE001
                print(f"--- console screen unavailable: {e}")
            print(f"--- logs/sluice.log ---\n{c.sluice_log()}")
        sl = c.sl
        if sl.proc is not None and sl.alive():
            # stop it while its terminal still exists (a hung-up console does not exit by itself)
            sl.signal(signal.SIGTERM)
            try:
                rc = sl.proc.wait(timeout=sl.drain_timeout + 10)
                if rc != 0 and not failed:
                    problems.append(f"sluice exited with status {rc} on SIGTERM")
            except subprocess.TimeoutExpired:
                problems.append("sluice did not exit on SIGTERM")
                sl.proc.kill()
        c.kill_server()
    if problems:
        pytest.fail("at teardown: " + "; ".join(problems), pytrace=False)


def one_route(port_index: int = 0, **extra):
    """gateway factory: route `db` (数据库) on the instance's listener → the given server."""
    def make(server):
        def gw(sl):
            r = harness.route("db", [server.addr], name="数据库", server_port=sl.ports[port_index], **extra)
            return {"stream_routes": [r]}
        return gw
    return make


# ---------------------------------------------------------------------------------------------------------------

def test_dashboard_shows_listener_and_route(console, echo):
    c = console(gateway=one_route()(echo))
    port = c.sl.port
    c.wait_for(lambda s: f"{LOOPBACK}:{port}" in s and "db 数据库" in s and f"port {port}" in s,
               what="the listener and route db on the dashboard")
    lines = c.lines()
    assert lines[0].startswith(" Sluice") and "1 Dashboard" in lines[0]
    assert "1 listeners" in lines[1]
    assert f"{echo.addr}" in c.screen(), "the upstream node is listed"
    # colours are on by default (the NO_COLOR test checks the opposite)
    codes = {p for m in SGR.finditer(c.screen_sgr()) for p in re.split("[;:]", m.group(1))}
    assert any(COLOR_SGR.match(x) for x in codes), f"no colour SGR in the capture: {sorted(codes)}"


def test_traffic_moves_dashboard_counters(console, echo):
    c = console(cols=100, gateway=one_route()(echo))   # room for the byte totals (at 80 they give way to rates)
    prefix = f"{LOOPBACK}:{c.sl.port}"
    c.wait_for(prefix)

    def counters(line_prefix):
        def cond(_s):
            row = c.row(line_prefix)
            return BYTES.findall(row)[:2] if row else None
        return cond

    assert c.wait_for(counters(prefix), what="the listener row") == ["0 B", "0 B"]
    s = connect(c.sl.port)
    payload = os.urandom(300_000)
    assert echo_roundtrip(s, payload) == payload
    c.wait_for(lambda _s: counters(prefix)(_s) == ["293 KiB", "293 KiB"], 10,
               "the listener's IN/OUT to reach 293 KiB")
    c.wait_for(lambda _s: counters("db 数据库")(_s) == ["293 KiB", "293 KiB"], 10,
               "route db's IN/OUT to reach 293 KiB")
    assert echo_roundtrip(s, payload) == payload
    c.wait_for(lambda _s: counters(prefix)(_s) == ["586 KiB", "586 KiB"], 10,
               "the listener's IN/OUT to move on to 586 KiB")


def test_connections_screen_kills_the_selected_connection(console, echo):
    c = console(gateway=one_route()(echo))
    # Each listener accepts on every event loop, so two connections opened back to back may be routed in either
    # order: b is opened once a is proxying, so a has the smaller id.
    a = connect(c.sl.port)
    assert echo_roundtrip(a, b"hello") == b"hello"
    b = connect(c.sl.port)
    assert echo_roundtrip(b, b"goodbye") == b"goodbye"
    a_client = f"{LOOPBACK}:{a.getsockname()[1]}"
    b_client = f"{LOOPBACK}:{b.getsockname()[1]}"
    c.keys("2")
    c.wait_for(lambda s: a_client in s and b_client in s and "2 of 2" in s, 10, "both connections listed")
    # sorted by id, which need not follow the connect order (each event loop accepts): select b by its row
    rows = [l for l in c.lines() if a_client in l or b_client in l]
    if b_client in rows[1]:
        c.keys("Down")
    c.keys("k")
    msg = c.wait_for(lambda s: next((l for l in s.split("\n") if "Kill connection" in l), None), 5,
                     "the kill confirmation")
    assert b_client in msg, f"Down then k should offer to kill {b_client}: {msg!r}"
    c.keys("y")
    c.wait_for(re.compile(r"connection \d+ killed").search, 5, "the 'killed' message")
    wait_closed(b, 5)
    assert echo_roundtrip(a, b"still here") == b"still here", "the other connection is untouched"
    c.wait_for(lambda s: b_client not in s and "1 of 1" in s, 5, "the killed connection to leave the list")
    killed = c.sl.wait_log(1, 5, where=lambda e: e.get("close_reason") == "killed")
    assert len(killed) == 1, [e["raw"] for e in killed]
    assert killed[0]["bytes_received"] == str(len(b"goodbye")), killed[0]["raw"]
    assert killed[0]["route_id"] == "db"


def test_route_form_creates_a_route_that_carries_traffic(console):
    a = named_server("A")
    b = named_server("B")
    c = console(listeners=2, gateway=one_route()(a))
    new_port = c.sl.ports[1]
    assert ask_new(c.sl.port) == "A:ping"
    c.keys("3")
    c.wait_for("Stream routes")
    c.keys("n")
    c.wait_for(lambda s: "New stream route" in s and "server port" in s, 5, "the new-route form")
    c.keys("Down", "Down")                       # id → name → server port
    c.type(str(new_port))
    c.keys(*["Down"] * 9)                        # server port → nodes
    c.type(f"{b.addr}=1")
    c.wait_for(f"{b.addr}=1")
    c.keys("F2")
    c.wait_for(re.compile(r"saved stream route \S+ \(revision 2\)").search, 5, "the save message")
    c.wait_for(lambda s: f"port {new_port}" in s and "Stream routes" in s, 5, "the new route in the list")
    text = c.sl.data_path.read_text()
    assert str(new_port) in text and b.addr in text, f"gateway.yaml lacks the new route:\n{text}"
    st, _, body = c.sl.admin("GET", "/apisix/admin/stream_routes")
    assert st == 200 and body["total"] == 2, body
    new = [i["value"] for i in body["list"] if i["value"].get("server_port") == new_port]
    assert len(new) == 1 and new[0]["upstream"]["nodes"] == {b.addr: 1}, body
    assert wait_until(lambda: ask_new(new_port) == "B:ping", 5, "traffic through the new route")
    assert ask_new(c.sl.port) == "A:ping", "the old route is unchanged"


def test_service_scheme_cannot_be_changed(console, echo):
    def gw(sl):
        return {
            "upstreams": [{"id": "u1", "type": "roundrobin", "nodes": {echo.addr: 1}}],
            "services": [{"id": "s1", "name": "kv", "type": "stream", "scheme": "tcp", "upstream_id": "u1"}],
            "stream_routes": [{"id": "r1", "server_port": sl.port, "service_id": "s1"}],
        }
    c = console(gateway=gw)
    before = c.sl.data_path.read_bytes()
    c.keys("4")
    c.wait_for(lambda s: "Services" in s and "s1" in s, 5, "the services list")
    c.keys("Enter")
    c.wait_for("Edit service s1")
    assert len(re.findall("fixed after creation", c.screen())) >= 2, "type and scheme are marked read-only"
    c.keys("Down", "Down")                       # name → type → scheme
    c.keys("Space")
    c.wait_for("scheme is fixed after creation", 5)
    c.keys("Right")
    c.keys("Left")
    c.keys("Space")
    scheme_row = c.wait_for(lambda s: next((l for l in s.split("\n") if l.lstrip().startswith("scheme")), None))
    assert "tcp" in scheme_row and "udp" not in c.screen(), scheme_row
    c.keys("Escape")
    c.wait_for(lambda s: "Services" in s and "Edit service" not in s, 5, "the form to close")
    assert c.sl.data_path.read_bytes() == before, "gateway.yaml changed"
    st, _, body = c.sl.admin("GET", "/apisix/admin/services/s1")
    assert st == 200 and body["value"]["scheme"] == "tcp", body
    assert ask_new(c.sl.port, timeout=5) is not None


def test_layout_follows_a_resize(console, echo):
    c = console(gateway=one_route()(echo))
    c.wait_for("Listeners")
    lines = c.lines()
    totals_out = re.compile(r"\bOUT\b(?!/)")    # the listeners' OUT bytes column, not OUT/s

    def header(s):
        return next((l for l in s.split("\n") if l.startswith("ADDRESS")), "")
    assert "REFUSED" in header(c.screen()) and not totals_out.search(header(c.screen())), \
        "at 80 columns the byte totals go before REFUSED"
    assert "? help" in lines[23], f"footer on row 24: {lines[23]!r}"
    c.resize(100, 30)
    c.wait_for(lambda s: totals_out.search(header(s)) and len(s.split("\n")) >= 30 and "? help" in s.split("\n")[29],
               10, "the layout at 100×30 (OUT column, footer on row 30)")
    assert "? help" not in c.lines()[23]
    c.resize(80, 24)
    c.wait_for(lambda s: not totals_out.search(header(s)) and "? help" in s.split("\n")[23], 10,
               "the layout back at 80×24")


def test_too_small_window_waits_and_keeps_running(console, echo):
    c = console(gateway=one_route()(echo))
    c.wait_for("Listeners")
    c.resize(60, 20)
    c.wait_for("Terminal too small: 60×20, need 80×24", 10)
    assert "Listeners" not in c.screen() and "keys are ignored" in c.screen()
    c.keys("2", "q", "y")                          # pressed blind: neither a screen change nor a quit
    assert c.sl.alive()
    s = connect(c.sl.port)
    assert echo_roundtrip(s, b"still serving") == b"still serving"
    c.resize(80, 24)
    c.wait_for(lambda s: "Listeners" in s and "too small" not in s, 10, "the dashboard again at 80×24")
    assert c.sl.alive() and "Quit?" not in c.screen()


def test_quit_asks_drains_exits_zero_and_restores_the_terminal(console, echo):
    c = console(gateway=one_route()(echo))
    c.wait_for("Listeners")
    assert c.display("#{alternate_on}") == "1", "the console draws on the alternate screen"
    s = connect(c.sl.port)
    assert echo_roundtrip(s, b"hi") == b"hi"
    c.keys("q")
    c.wait_for("Quit?", 5)
    c.keys("y")
    c.wait_for("EXITED 0", c.sl.drain_timeout + 10, "sluice to exit 0 after q, y")
    assert c.sl.proc.wait(timeout=5) == 0
    assert c.rc_path.read_text().strip() == "0"
    wait_closed(s, 5)  # the drain ended the open connection
    screen = c.screen()
    assert "Listeners" not in screen and "1 Dashboard" not in screen, f"the console is still shown:\n{screen}"
    assert c.display("#{alternate_on}") == "0", "the terminal is back on the normal screen"
    assert c.display("#{cursor_flag}") == "1", "the cursor is visible again"


def test_no_color_draws_without_colour_codes(console, echo):
    c = console(gateway=one_route()(echo), no_color=True)
    c.wait_for(lambda s: "Listeners" in s and "db 数据库" in s, what="the dashboard")
    c.keys("2")
    c.wait_for("sorted by")
    for capture in (c.screen_sgr(),):
        params = [m.group(1) for m in SGR.finditer(capture)]
        codes = {p for ps in params for p in re.split("[;:]", ps) if p}
        colours = sorted(x for x in codes if COLOR_SGR.match(x))
        assert not colours, f"colour SGR codes under NO_COLOR: {colours} (all: {sorted(codes)})"
        assert "7" in codes or "1" in codes, f"no bold/reverse either: {sorted(codes)}"


def test_terminal_hangup_stops_the_gateway_instead_of_spinning(console, echo):
    """The console owns the process: when its terminal goes away (tmux kill-server, a closed window, a dropped
    ssh session) sluice drains and exits rather than running on unseen (--headless is for that)."""
    c = console(gateway=one_route()(echo))
    c.wait_for("Listeners")
    pid = c.sl.pid
    c.kill_server()  # the terminal disappears
    try:
        wait_until(lambda: not c.sl.alive(), c.sl.drain_timeout + 10, "sluice to stop after its terminal hung up")
    finally:
        if c.sl.alive():
            c.sl.signal(signal.SIGTERM)
            wait_until(lambda: not c.sl.alive(), c.sl.drain_timeout + 10, "sluice to stop on SIGTERM")


def test_footer_has_no_stray_ellipsis(console, echo):
    c = console(gateway=one_route()(echo), cols=100, rows=30)
    c.wait_for(lambda s: "? help" in s.split("\n")[29], what="the footer on row 30")
    footer = c.lines()[29].rstrip()
    assert "quit (stops the gateway)" in footer, footer
    assert not re.search(r"\s{3,}…$", footer), f"footer ends with a stray ellipsis: {footer!r}"


def test_broken_hand_edit_shows_a_banner_and_the_whole_error(console, echo):
    c = console(gateway=one_route()(echo))
    c.wait_for("db 数据库", 10, "the route on the dashboard")
    c.sl.write_gateway("stream_routes:\n  - id: \"1\"\n    server_port: 70000\n"
                       "    upstream: {nodes: {\"127.0.0.1:1\": 1}}\n")
    banner = c.wait_for(lambda s: next((l for l in s.split("\n")
                                        if "running configuration kept — gateway.yaml:3:" in l), None),
                        10, "the banner naming gateway.yaml:3")
    assert c.lines().index(banner) == 2
    assert ask_new(c.sl.port) == "ping", "the running configuration still serves"
    c.keys("3")
    c.wait_for(lambda s: "running configuration kept" in s.split("\n")[2], 5, "the banner on the routes screen too")
    # the Log tab counts the error; the Log screen shows it whole
    c.wait_for(lambda s: "●" in s.split("\n")[0], 5, "the unseen-error badge on the Log tab")
    c.keys("7")
    c.wait_for("following", 5, "the Log screen")
    c.keys("l", "l")  # errors only: the newest error is selected
    c.wait_for("errors only", 5, "the level filter")
    c.keys("Enter")
    c.wait_for(lambda s: "Log entry" in s and "got 70000" in s, 5, "the whole entry, wrapped")
    assert "stream_routes[0].server_port" in c.screen()
    assert "●" not in c.lines()[0], "seen now"
    c.sl.write_gateway(harness.to_yaml(one_route()(echo)(c.sl)))
    c.wait_for(lambda s: "⚠" not in s.split("\n")[2], 10, "the banner gone once the file is fixed")


def test_escape_after_a_jump_returns_to_the_screen_before(console, echo):
    c = console(gateway=one_route()(echo))
    c.keys("5")
    c.wait_for(lambda s: s.split("\n")[1].startswith("Upstreams"), 5, "the Upstreams screen")
    c.keys(":")
    c.type("conn")
    c.keys("Enter")
    c.wait_for(lambda s: s.split("\n")[1].startswith("Connections"), 5, "the Connections screen after :conn")
    c.keys("Escape")
    c.wait_for(lambda s: s.split("\n")[1].startswith("Upstreams"), 5, "Esc back on the Upstreams screen")
    c.keys("F1")
    c.wait_for(lambda s: s.split("\n")[1].startswith("Help"), 5, "F1 opens help")


def closed_without_reply(port: int) -> bool:
    """True when the gateway closes a fresh connection without forwarding a line (a plugin refused it)."""
    s = connect(port, timeout=5)
    try:
        s.sendall(b"ping\n")
    except OSError:
        return True
    got, _ = wait_closed(s, 5)
    s.close()
    return got == b""


def test_route_form_adds_then_disables_a_plugin_that_takes_effect(console):
    a = named_server("A")
    c = console(cols=120, rows=30, gateway=one_route()(a))
    port = c.sl.port
    assert ask_new(port) == "A:ping"
    c.keys("3")
    c.wait_for("Stream routes")
    c.keys("e")
    c.wait_for("Edit stream route db")
    c.keys(*["Down"] * 40, "Up")                 # the last stop is Save; above it, "+ plugin"
    c.type("ip-restriction")
    c.keys("Enter")                              # adds the plugin's rows, the focus on its whitelist
    c.wait_for(lambda s: "whitelist" in s and "blacklist" in s, 5, "the ip-restriction fields")
    c.keys("Down")
    c.type(LOOPBACK)
    c.keys("F2")
    c.wait_for(re.compile(r"saved stream route db \(revision 2\)").search, 5, "the save message")
    c.wait_for(lambda s: (c.row("db ") or "").rstrip().endswith("ip-restriction"), 5, "the PLUGINS column")
    assert wait_until(lambda: closed_without_reply(port), 5, "the blacklist refuses the client")

    c.keys("e")
    c.wait_for("Edit stream route db")
    c.keys(*["Down"] * 40, "Up", "Up", "Up", "Up")   # Save ← + plugin ← blacklist ← whitelist ← the plugin's state
    c.keys("Space")
    c.wait_for("‹ disabled ›")
    c.keys("F2")
    c.wait_for(re.compile(r"saved stream route db \(revision 3\)").search, 5, "the save message")
    c.wait_for("ip-restriction (off)")
    st, _, body = c.sl.admin("GET", "/apisix/admin/stream_routes/db")
    assert st == 200 and body["value"]["plugins"] == {
        "ip-restriction": {"blacklist": [LOOPBACK], "_meta": {"disable": True}}}, body
    assert wait_until(lambda: ask_new(port) == "A:ping", 5, "a disabled plugin lets the client through")


def test_readline_keys_edit_the_jump_prompt_and_form_fields(console, echo):
    c = console(gateway=one_route()(echo))
    c.wait_for("Listeners")
    c.keys(":")
    c.type("connections")
    c.keys("C-u")
    c.type("routes x")
    c.keys("C-w", "Enter")                        # ":routes " — the word before the cursor is gone
    c.wait_for("Stream routes")
    c.keys("e")
    c.wait_for("Edit stream route db")
    c.keys("C-a", "C-k")                          # the name field: start, then delete to the end
    c.type("db route")
    c.keys("C-w", "C-a")
    c.type("new ")
    c.wait_for("new ▏db")
    c.keys("C-e", "F2")
    c.wait_for(re.compile(r"saved stream route db").search, 5, "the save message")
    st, _, body = c.sl.admin("GET", "/apisix/admin/stream_routes/db")
    assert st == 200 and body["value"]["name"] == "new db", body


def peer_reporting_echo() -> harness.TcpServer:
    """An echo server that notes the port each client (the gateway's upstream socket) connected from."""
    def handler(conn, server):
        with server.lock:
            server.received.append(str(conn.getpeername()[1]).encode())
        harness.echo_handler(conn, server)
    return harness.TcpServer(handler, name="peer-echo")


def test_inspect_shows_show_sess_facts_then_kill_all_matching(console):
    """The inspector's facts come from the engine on either executor (this file also runs with SLUICE_FAST_PATH=off):
    the node refused first then the one in use, the upstream socket's local address as the node saw it, the
    connect time and the idle time; then K kills every connection the filter matches, after saying how many."""
    live = peer_reporting_echo()
    dead = harness.free_port()

    def gw(sl):
        nodes = [{"host": LOOPBACK, "port": dead, "weight": 1, "priority": 1},
                 {"host": LOOPBACK, "port": live.port, "weight": 1, "priority": 0}]
        return {"stream_routes": [harness.route("db", nodes, retries=1, server_port=sl.ports[0])]}
    c = console(cols=100, gateway=gw)
    a = connect(c.sl.port)
    assert echo_roundtrip(a, b"hello") == b"hello"
    b = connect(c.sl.port)
    assert echo_roundtrip(b, b"there") == b"there"
    c.keys("2")
    c.wait_for("2 of 2", 10, "both connections listed")
    c.keys("Enter")
    row = lambda label: (lambda s: next((l for l in s.split("\n") if l.strip().startswith(label)), None))  # noqa: E731
    local = c.wait_for(lambda s: (r := row("upstream local address")(s)) and "127.0.0.1:" in r and r, 10,
                       "the upstream local address")
    port = local.split("127.0.0.1:")[1].split()[0]
    with live.lock:
        seen = [p.decode() for p in live.received]
    assert port in seen, f"the inspector's upstream local port {port} is one the node saw: {seen}"
    tried = row("nodes tried")(c.screen())
    assert f"{LOOPBACK}:{dead} ✗, {LOOPBACK}:{live.port}" in tried, tried
    assert re.search(r"connect time\s+\d+\.\d+ ms", c.screen()), c.screen()
    assert re.search(r"idle\s+\d+s", c.screen()), c.screen()
    assert "proxying" in row("state")(c.screen())
    c.keys("Escape")
    c.wait_for("2 of 2", 5)
    c.keys("/")
    c.type("route:db")
    c.keys("Enter")
    c.keys("K")
    c.wait_for("Kill all 2 connections matching /route:db/?", 5, "the kill-all question with the count")
    c.keys("y")
    c.wait_for("killed 2 connections matching /route:db/", 5)
    wait_closed(a, 5)
    wait_closed(b, 5)
    killed = c.sl.wait_log(2, 5, where=lambda e: e.get("close_reason") == "killed")
    assert len(killed) == 2, [e["raw"] for e in killed]


def test_quit_shows_the_drain_progress(console, echo):
    c = console(gateway=one_route()(echo), drain_timeout=30)
    s = connect(c.sl.port)
    assert echo_roundtrip(s, b"hi") == b"hi"
    c.wait_for("1 open", 10)
    c.keys("q")
    c.wait_for("Quit?", 5)
    c.keys("y")
    c.wait_for(re.compile(r"1 connection left · (\d+) s left").search, 10, "the drain progress")
    assert echo_roundtrip(s, b"still") == b"still", "an open connection goes on while it drains"
    s.close()
    c.wait_for("EXITED 0", 10, "sluice to exit 0 once the last connection ended")


def test_yaml_edit_saves_through_the_store_and_names_the_line_of_an_error(console, echo):
    c = console(gateway=one_route()(echo))
    c.keys("3")
    c.wait_for("Stream routes", 5)
    c.keys("Y")
    c.wait_for("Edit stream route db (YAML)", 5)

    def gutter(field):  # the line number the editor shows beside a field
        row = next(l for l in c.lines() if f"{field}:" in l)
        return int(row.split()[0].lstrip("✗"))
    port_line, name_line = gutter("server_port"), gutter("name")
    port = str(c.sl.port)
    c.keys(*["Down"] * (port_line - 1), "End", *["BSpace"] * len(port))
    c.type("70000")
    c.keys("F2")
    c.wait_for(f"line {port_line}: server_port: must be", 5, "the error with its line")
    assert next(l for l in c.lines() if "server_port: 70000" in l).startswith("✗"), c.screen()
    st, _, body = c.sl.admin("GET", "/apisix/admin/stream_routes/db")
    assert st == 200 and body["value"]["server_port"] == int(port), "nothing saved"
    c.keys(*["BSpace"] * 5)
    c.type(port)
    c.keys(*["Up"] * (port_line - name_line), "End", *["BSpace"] * len("数据库"))
    c.type("edited")
    c.keys("F2")
    c.wait_for("saved stream route db", 5)
    st, _, body = c.sl.admin("GET", "/apisix/admin/stream_routes/db")
    assert st == 200 and body["value"]["name"] == "edited" and body["value"]["server_port"] == int(port), body
    assert ask_new(c.sl.port, "ping") == "ping", "the route still carries traffic"


def test_metadata_tab_lists_plugin_metadata(console, echo):
    """Tab 9 is plugin metadata: what the Admin API stored under /apisix/admin/plugin_metadata/syslog is listed."""
    c = console(gateway=one_route()(echo))
    st, _, body = c.sl.admin("PUT", "/apisix/admin/plugin_metadata/syslog",
                             {"log_format": {"client": "$remote_addr"}, "max_pending_entries": 100})
    assert st == 201, body
    c.keys("9")
    c.wait_for(lambda s: s.split("\n")[1].startswith("Plugin metadata"), 5, "the Plugin metadata screen")
    c.wait_for("syslog", 5, "the syslog metadata listed")


@pytest.mark.time_limit(120)
def test_a_write_waiting_on_etcd_keeps_the_console_drawing(console, etcd_server, echo):
    from test_etcd import Relay
    relay = Relay(etcd_server.port)
    deployment = etcd_server.deployment("traditional", hosts=[relay.url]).replace("timeout: 3", "timeout: 10")
    c = console(deployment=deployment)
    st, _, body = c.sl.admin("PUT", "/apisix/admin/stream_routes/db",
                             harness.route("db", [echo.addr], server_port=c.sl.port))
    assert st == 201, body
    c.keys("3")
    c.wait_for(lambda s: "Stream routes" in s and "db" in s, 10, "route db on the routes screen")
    relay.stall()  # etcd accepts the write's connection and never answers, until thawed
    c.keys("d")
    c.wait_for("Delete stream route db?", 5)
    c.keys("y")
    c.wait_for("deleting stream route db: waiting for etcd, 1 s", 5, "the console to say what it waits for")
    c.keys("Tab")  # held back while the write waits
    c.wait_for("waiting for etcd, 2 s", 5, "the console to draw on while it waits")
    relay.thaw()
    c.wait_for("deleted stream route db", 15, "the delete to finish once etcd answers")
    assert "Stream routes" in c.lines()[1], "the key pressed while waiting did nothing"
    st, _, _ = c.sl.admin("GET", "/apisix/admin/stream_routes/db")
    assert st == 404, "deleted in etcd"

    st, _, body = c.sl.admin("PUT", "/apisix/admin/stream_routes/db2",
                             harness.route("db2", [echo.addr], server_port=c.sl.port))
    assert st == 201, body
    c.wait_for("db2", 10, "route db2 on the routes screen")
    relay.stall()
    c.keys("d")
    c.wait_for("Delete stream route db2?", 5)
    c.keys("y")
    c.wait_for("deleting stream route db2: waiting for etcd", 5)
    c.sl.signal(signal.SIGTERM)
    assert c.sl.proc.wait(timeout=c.sl.drain_timeout + 10) == 0, "SIGTERM stops the gateway while a write waits"
    relay.thaw()
