#!/usr/bin/env bash
# Screenshots of Sluice's console, from a real run with real traffic:
#   screenshots/{dashboard,connections,connection-inspect,connections-by-route,route-form,route-plugins,route-detail,
#                object-yaml,service-form,upstreams,ssl,help,history,history-diff,drain}.png
#
#   scripts/screenshots.sh                       # 120×32, binary .build/debug/sluice
#   SLUICE_BIN=.build/release/sluice COLS=80 ROWS=24 OUT_DIR=/tmp/shots scripts/screenshots.sh
#
# Starts on 127.0.0.1 only: echo servers (and a redis-server when installed), Sluice with a demo
# config in a temporary folder, background clients that keep sending; drives the console in a
# private tmux server, captures each screen with `tmux capture-pane -e` and renders it to PNG
# with scripts/render_ansi_png.py (Pillow).  Installs tmux, fonts and Pillow when missing.
# Everything it starts is stopped on exit, also on failure or Ctrl-C.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BIN="${SLUICE_BIN:-.build/debug/sluice}"
case "$BIN" in /*) ;; *) BIN="$ROOT/$BIN" ;; esac
COLS="${COLS:-120}"
ROWS="${ROWS:-32}"
OUT_DIR="${OUT_DIR:-$ROOT/screenshots}"
FONT_SIZE="${FONT_SIZE:-15}"

log() { echo "screenshots: $*" >&2; }
die() { log "$*"; exit 1; }

[ -x "$BIN" ] || die "no sluice binary at $BIN (build it, or set SLUICE_BIN)"
[ "$COLS" -ge 80 ] && [ "$ROWS" -ge 24 ] || die "the console needs at least 80×24 (got ${COLS}×${ROWS})"

# ---------------------------------------------------------------- dependencies (only when missing)
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
missing=()
command -v tmux >/dev/null || missing+=(tmux)
for p in fonts-dejavu-core fonts-noto-cjk fonts-symbola; do installed "$p" || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing ${missing[*]}"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  # fonts-symbola is optional (symbols such as the lock); the others are not
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
         $(printf '%s\n' "${missing[@]}" | grep -v '^fonts-symbola$') >/dev/null
fi
if ! python3 -c 'import PIL' 2>/dev/null; then
  log "installing Pillow"
  python3 -m pip install -q Pillow >/dev/null 2>&1 \
    || python3 -m pip install -q --break-system-packages Pillow >/dev/null 2>&1 \
    || $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-pil >/dev/null
fi

# ---------------------------------------------------------------- processes and cleanup
WORK="$(mktemp -d /tmp/sluice-shots.XXXXXX)"
SOCK="sluice-shots-$$"
TMUX_CMD=(tmux -L "$SOCK" -f /dev/null)
DEMO_PID=""
SLUICE_PID=""
TMUX_SOCKET=""

cleanup() {
  set +e
  if [ -n "$SLUICE_PID" ] && kill -0 "$SLUICE_PID" 2>/dev/null; then
    kill -TERM "$SLUICE_PID" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$SLUICE_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SLUICE_PID" 2>/dev/null
  fi
  "${TMUX_CMD[@]}" kill-server 2>/dev/null
  [ -z "$TMUX_SOCKET" ] || rm -f "$TMUX_SOCKET"   # tmux 3.3 leaves the socket file behind
  if [ -n "$DEMO_PID" ] && kill -0 "$DEMO_PID" 2>/dev/null; then
    kill -TERM "$DEMO_PID" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$DEMO_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$DEMO_PID" 2>/dev/null
  fi
  wait 2>/dev/null
  if [ -n "${KEEP_WORK:-}" ]; then echo "screenshots: kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- demo upstreams, config and traffic
cat >"$WORK/demo.py" <<'PY'
"""Upstream servers, Sluice's demo config, and clients that keep traffic moving (loopback only)."""
import os, random, shutil, signal, socket, subprocess, sys, threading, time

work = sys.argv[1]
L = "127.0.0.1"
stop = threading.Event()
procs = []

def shutdown(*_):
    stop.set()
signal.signal(signal.SIGTERM, shutdown)
signal.signal(signal.SIGINT, shutdown)

taken = set()
def free_port():
    while True:
        p = random.randint(25000, 29999)
        if p in taken:
            continue
        s = socket.socket()
        try:
            s.bind((L, p))
        except OSError:
            continue
        finally:
            s.close()
        taken.add(p)
        return p

def serve(handler):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((L, free_port()))
    ls.listen(256)
    ls.settimeout(0.2)
    def loop():
        while not stop.is_set():
            try:
                c, _ = ls.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            threading.Thread(target=handler, args=(c,), daemon=True).start()
    threading.Thread(target=loop, daemon=True).start()
    return ls.getsockname()[1]

def echo(c):
    c.settimeout(1)
    try:
        while not stop.is_set():
            try:
                d = c.recv(65536)
            except socket.timeout:
                continue
            if not d:
                return
            c.sendall(d)
    except OSError:
        pass
    finally:
        c.close()

echo_a, echo_b, echo_c, echo_d, echo_e = (serve(echo) for _ in range(5))
dead = free_port()    # nobody listens: the health check marks the node down
redis_port = None
if shutil.which("redis-server"):
    redis_port = free_port()
    procs.append(subprocess.Popen(
        ["redis-server", "--port", str(redis_port), "--bind", L, "--save", "", "--appendonly", "no",
         "--protected-mode", "no", "--dir", work], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL))
kv_node = redis_port or serve(echo)
l_db, l_cache, l_metrics, admin = (free_port() for _ in range(4))

with open(os.path.join(work, "config.yaml"), "w") as f:
    f.write(f"""sluice:
  stream_proxy:
    tcp:
      - "{L}:{l_db}"
      - "{L}:{l_cache}"
      - "{L}:{l_metrics}"
  admin:
    listen: "{L}:{admin}"
    key: "screenshots-admin-key-0000000000000"
  access_log:
    path: logs/access.log
  drain_timeout: 3
  data_file: gateway.yaml
""")
with open(os.path.join(work, "gateway.yaml"), "w") as f:
    f.write(f"""stream_routes:
  - id: "db"
    name: "数据库"
    server_port: {l_db}
    upstream_id: "pool"
  - id: "cache"
    name: "缓存 cache"
    server_port: {l_cache}
    service_id: "kv"
  - id: "metrics"
    name: "metrics ingest"
    server_port: {l_metrics}
    remote_addr: "127.0.0.0/8"
    plugins:
      ip-restriction: {{whitelist: ["127.0.0.0/8"]}}
    upstream:
      type: chash
      key: remote_addr
      nodes:
        "{L}:{echo_c}": 1
        "{L}:{echo_d}": 1
  - id: "legacy"
    name: "old metrics route"
    server_port: {l_metrics}
    remote_addr: "127.0.0.0/8"
    priority: -1
    upstream_id: "pool"
    plugins:
      limit-conn: {{conn: 20, burst: 10, default_conn_delay: 0.2, key_type: var, key: remote_addr,
                   _meta: {{disable: true}}}}
      ip-restriction: {{whitelist: ["127.0.0.1", "::1"]}}
services:
  - id: "kv"
    name: "{'redis' if redis_port else 'kv'} store"
    type: stream
    scheme: tcp
    upstream:
      type: roundrobin
      nodes:
        "{L}:{kv_node}": 1
upstreams:
  - id: "pool"
    name: "echo pool"
    type: roundrobin
    timeout: {{connect: 2, send: 60, read: 60}}
    checks:
      active: {{type: tcp, timeout: 1, healthy: {{interval: 1, successes: 2}},
               unhealthy: {{interval: 1, tcp_failures: 2, timeouts: 3}}}}
    nodes:
      - {{host: "{L}", port: {echo_a}, weight: 1}}
      - {{host: "{L}", port: {echo_b}, weight: 2}}
      - {{host: "{L}", port: {dead}, weight: 1}}
      - {{host: "{L}", port: {echo_e}, weight: 1, priority: -1}}
""")
if shutil.which("openssl"):
    # a certificate that expires in 20 days: the SSL screen warns (under 30)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", os.path.join(work, "k.pem"), "-out", os.path.join(work, "c.pem"), "-days", "20",
                    "-subj", "/CN=db.example.com/O=Example", "-addext",
                    "subjectAltName=DNS:db.example.com,DNS:*.db.example.com"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    cert = open(os.path.join(work, "c.pem")).read().replace("\n", "\\n")
    key = open(os.path.join(work, "k.pem")).read().replace("\n", "\\n")
    with open(os.path.join(work, "gateway.yaml"), "a") as f:
        f.write(f'ssls:\n  - {{id: "db-cert", snis: [db.example.com], cert: "{cert}", key: "{key}"}}\n')
with open(os.path.join(work, "ports.env.tmp"), "w") as f:
    f.write(f"L_DB={l_db}\nL_CACHE={l_cache}\nL_METRICS={l_metrics}\nECHO_A={echo_a}\n")
os.replace(os.path.join(work, "ports.env.tmp"), os.path.join(work, "ports.env"))

def connect(port):
    while not stop.is_set():
        try:
            s = socket.create_connection((L, port), timeout=2)
            s.settimeout(2)
            return s
        except OSError:
            time.sleep(0.1)
    return None

def recv_n(s, n):
    got = 0
    while got < n:
        d = s.recv(min(65536, n - got))
        if not d:
            raise EOFError
        got += len(d)

def streamer(port, size, pause):
    """A long-lived connection sending bursts of varying size; reconnects if it is closed."""
    rnd = random.Random()
    while not stop.is_set():
        s = connect(port)
        if s is None:
            return
        try:
            while not stop.is_set():
                n = int(size * rnd.uniform(0.3, 1.7))
                s.sendall(os.urandom(n))
                recv_n(s, n)
                stop.wait(pause * rnd.uniform(0.5, 1.5))
        except (OSError, EOFError):
            pass
        finally:
            s.close()

def redis_client(port):
    rnd = random.Random()
    while not stop.is_set():
        s = connect(port)
        if s is None:
            return
        try:
            while not stop.is_set():
                v = os.urandom(rnd.randint(500, 6000)).hex()
                k = f"k{rnd.randint(1, 50)}"
                cmd = f"*3\r\n$3\r\nSET\r\n${len(k)}\r\n{k}\r\n${len(v)}\r\n{v}\r\n".encode()
                s.sendall(cmd)
                s.recv(64)
                stop.wait(rnd.uniform(0.05, 0.2))
        except OSError:
            pass
        finally:
            s.close()

def short_lived(port):
    while not stop.is_set():
        s = connect(port)
        if s is None:
            return
        try:
            s.sendall(b"ping\n")
            recv_n(s, 5)
        except (OSError, EOFError):
            pass
        finally:
            s.close()
        stop.wait(0.4)

jobs = [(streamer, l_db, 48000, 0.08), (streamer, l_db, 16000, 0.15), (streamer, l_db, 4000, 0.3),
        (streamer, l_metrics, 24000, 0.1), (streamer, l_metrics, 2000, 0.25),
        (short_lived, l_db), (short_lived, l_metrics)]
jobs += [(redis_client, l_cache)] * 2 if redis_port else [(streamer, l_cache, 8000, 0.2)] * 2
go = os.path.join(work, "go")
while not stop.is_set() and not os.path.exists(go):
    time.sleep(0.05)
for j in jobs:
    threading.Thread(target=j[0], args=j[1:], daemon=True).start()
stop.wait()
for p in procs:
    p.terminate()
    try:
        p.wait(timeout=5)
    except subprocess.TimeoutExpired:
        p.kill()
PY

python3 "$WORK/demo.py" "$WORK" &
DEMO_PID=$!
for _ in $(seq 100); do [ -f "$WORK/ports.env" ] && break; sleep 0.05; done
[ -f "$WORK/ports.env" ] || die "the demo servers did not start"
# shellcheck disable=SC1091
. "$WORK/ports.env"

# ---------------------------------------------------------------- the console in tmux
"${TMUX_CMD[@]}" -u new-session -d -s shots -x "$COLS" -y "$ROWS" \
  -e LANG=C.UTF-8 -e LC_ALL=C.UTF-8 -e TERM=tmux-256color -e NO_COLOR= \
  "cd '$WORK' && exec '$BIN' --config '$WORK/config.yaml'"
"${TMUX_CMD[@]}" set-option -t shots remain-on-exit on >/dev/null
TMUX_SOCKET="$("${TMUX_CMD[@]}" display-message -p -t shots '#{socket_path}')"
SLUICE_PID="$("${TMUX_CMD[@]}" display-message -p -t shots '#{pane_pid}')"

screen() { "${TMUX_CMD[@]}" capture-pane -p -t shots; }
keys() { "${TMUX_CMD[@]}" send-keys -t shots "$@"; }
type_text() { "${TMUX_CMD[@]}" send-keys -t shots -l -- "$1"; }
# wait_for PATTERN [SECONDS]: until the screen matches (grep -E), else fail with the screen
wait_for() {
  local pat="$1" secs="${2:-10}" i
  for i in $(seq $((secs * 20))); do
    if screen | grep -qE -- "$pat"; then return 0; fi
    kill -0 "$SLUICE_PID" 2>/dev/null || { screen >&2; die "sluice exited while waiting for /$pat/"; }
    sleep 0.05
  done
  screen >&2
  die "timed out waiting for /$pat/ on the console"
}
# settle: the console redraws every 0.5 s; wait for one more tick after a key so the capture is stable
settle() { sleep 0.6; }
shot() {
  "${TMUX_CMD[@]}" capture-pane -p -e -N -t shots >"$WORK/$1.ans"
  python3 "$ROOT/scripts/render_ansi_png.py" "$WORK/$1.ans" "$OUT_DIR/$1.png" \
    --cols "$COLS" --rows "$ROWS" --font-size "$FONT_SIZE"
  log "wrote $OUT_DIR/$1.png ($(stat -c %s "$OUT_DIR/$1.png") bytes)"
}

mkdir -p "$OUT_DIR"
wait_for "Listeners" 20
touch "$WORK/go"      # start the clients
# rates come from the difference between snapshots: wait until the routes carry traffic
wait_for "[0-9.]+ KiB/s" 15
sleep 2.5

shot dashboard

keys 2
wait_for "sorted by"
wait_for "127\.0\.0\.1:[0-9]+ +metr"
keys Down; keys Down
settle
shot connections
keys Enter
wait_for "upstream local address +127\.0\.0\.1:[0-9]+"
settle
shot connection-inspect
keys Escape
keys g; keys g
wait_for "Connections by route"
settle
shot connections-by-route
keys g

keys 3
wait_for "Stream routes"
keys n
wait_for "New stream route"
keys Down; type_text "报表 replica"
keys Down; type_text "9300"
for _ in $(seq 9); do keys Down; done     # server port → nodes
type_text "127.0.0.1:70000=1"
keys F2
wait_for "✗"
settle
shot route-form
keys Escape
wait_for "Discard your changes"   # the form was edited: Esc asks first
keys y
wait_for "Stream routes"

# a route with plugins, shadowed by "metrics" (same filters, higher priority): the warning beside its priority
keys Down; keys Down; keys Down
keys e
wait_for "Edit stream route legacy"
wait_for "never chosen"
for _ in $(seq 12); do keys Down; done    # to the plugins
wait_for "limit-conn"
settle
shot route-plugins
keys Escape
wait_for "Stream routes"

# the db route's traffic: 60-second sparklines of its rates; then its YAML
keys Up; keys Up; keys Up
keys i
wait_for "last 60 s"
sleep 8                        # some history for the sparklines
shot route-detail
keys Escape
keys y
wait_for "route db \(YAML\)"
settle
shot object-yaml
keys Escape

keys 4
wait_for "Services"
keys Enter
wait_for "Edit service"
keys Down; keys Down   # name → type → scheme
keys Space
wait_for "fixed after creation"
settle
shot service-form
keys Escape

keys 5
wait_for "[0-9]+ upstreams"
wait_for "✗ down" 15           # the node nobody listens on, found by the active check
keys Down; keys D              # drain the second node, put the spare in maintenance
wait_for "◐ drain"
keys Down; keys Down; keys M
wait_for "■ maint"
settle
shot upstreams

if grep -q "ssls:" "$WORK/gateway.yaml"; then
  keys 6
  wait_for "⚠ in 1?[0-9] days"
  settle
  shot ssl
fi

keys 2
wait_for "sorted by"
keys '?'
wait_for "Everywhere"
settle
shot help
keys Escape

# two changes through the Admin API, then the History screen and the diff of the newest
ADMIN_PORT="$(sed -n 's/^ *listen: "127.0.0.1:\([0-9]*\)"/\1/p' "$WORK/config.yaml")"
python3 - "$ADMIN_PORT" "$ECHO_A" <<'PY'
import json, sys, urllib.request
port, echo_a = sys.argv[1], sys.argv[2]
def call(method, path, body):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=json.dumps(body).encode(), method=method,
                                 headers={"X-API-KEY": "screenshots-admin-key-0000000000000"})
    urllib.request.urlopen(req, timeout=5).read()
call("PATCH", "/apisix/admin/upstreams/pool", {"nodes": {f"127.0.0.1:{echo_a}": 3}, "desc": "weight 3 on the first node"})
call("PUT", "/apisix/admin/upstreams/spare", {"name": "spare pool", "nodes": {f"127.0.0.1:{echo_a}": 1}})
PY
keys 8
wait_for "revisions kept"
wait_for "admin_api"
settle
shot history
keys Down
keys Enter
wait_for "diff against the one before"
settle
shot history-diff
keys Escape

# quit the way an operator does (q, y) while the clients still stream: the drain shows what is left, then the
# clients stop and it exits 0
keys q
wait_for "Quit\?"
keys y
wait_for "connections? left"
shot drain
kill -TERM "$DEMO_PID" 2>/dev/null || true
# Exited = gone or a zombie tmux has not reaped yet (kill -0 alone would count a zombie as alive).
alive() { local st; st="$(ps -o stat= -p "$SLUICE_PID" 2>/dev/null)"; [ -n "$st" ] && [ "${st#Z}" = "$st" ]; }
for _ in $(seq 300); do alive || break; sleep 0.05; done
alive && { ps -o pid,stat,wchan:30,cmd -p "$SLUICE_PID" >&2; die "sluice did not exit within 15 s of q, y"; }
# tmux records the exit status once it has reaped the process
for _ in $(seq 100); do
  [ "$("${TMUX_CMD[@]}" display-message -p -t shots '#{pane_dead}')" = 1 ] && break; sleep 0.05
done
status="$("${TMUX_CMD[@]}" display-message -p -t shots '#{pane_dead_status}')"
# tmux 3.3a sometimes reports no status for a reaped pane; the process is gone either way (checked above)
[ -z "$status" ] && log "sluice exited (tmux did not report its status)"
[ -z "$status" ] || [ "$status" = 0 ] || die "sluice exited with status $status"
SLUICE_PID=""
log "done: $(cd "$OUT_DIR" && ls ./*.png | tr '\n' ' ')"
