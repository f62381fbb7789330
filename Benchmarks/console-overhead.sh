#!/usr/bin/env bash
# What does the operator console cost while ~1,000 connections are live?
#
#   bash Benchmarks/console-overhead.sh
#   REPS=3 CONNS=1000 SLUICE_BIN=.build/release/sluice bash Benchmarks/console-overhead.sh
#
# A benchmark, not a test: it prints figures and asserts nothing. For each mode
#   headless       sluice --headless
#   console        sluice with its console in tmux (120×32), Dashboard visible
#   console-conns  the same, Connections screen visible (it lists every connection)
# it starts a fresh sluice with two listeners (one routed to a redis-server, one to an iperf3
# server, all on 127.0.0.1), opens CONNS idle connections through it to redis, then measures:
#   idle CPU %    sluice's utime+stime over IDLE_S seconds with only the idle connections open
#                 (the console's own redraw cost), as % of one core
#   redis req/s   redis-benchmark -t ping_mbulk -c 50 -k 1 through the proxy for REDIS_S seconds
#   iperf3 Gbit/s iperf3 -c … -t IPERF_S through the proxy (one stream, a fresh `iperf3 -s -1`)
#   CPU % under each load, and RSS (VmRSS) at the end with the connections still open.
# Before each measurement it waits (up to QUIET_WAIT_S) for the box's CPU busy % from other jobs
# (sluice's own CPU excluded) to fall to QUIET_MAX_PCT, and samples again after the last one; a
# row where either was above is marked `busy` (like peerbench). Modes rotate between reps; the
# table shows medians over the quiet reps (over all of them when none was quiet), and ratios
# against headless.
#
# Settings (env): REPS=1 CONNS=1000 IDLE_S=5 REDIS_S=8 IPERF_S=5 MODES="headless console console-conns"
#   QUIET_MAX_PCT=25 QUIET_WAIT_S=15 COLS=120 ROWS=32 SLUICE_BIN (default .build-release/release/sluice,
#   else .build/release/sluice) KEEP_WORK=1 (keep the temporary folder with logs and raw.tsv)
# Ports: free ones in 127.0.0.1:24200–24299. Everything it starts is stopped on exit.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HELPER="$ROOT/Benchmarks/console_overhead.py"
REPS=${REPS:-1}
CONNS=${CONNS:-1000}
IDLE_S=${IDLE_S:-5}
REDIS_S=${REDIS_S:-8}
IPERF_S=${IPERF_S:-5}
MODES=${MODES:-"headless console console-conns"}
QUIET_MAX_PCT=${QUIET_MAX_PCT:-25}
QUIET_WAIT_S=${QUIET_WAIT_S:-15}
COLS=${COLS:-120}
ROWS=${ROWS:-32}
L=127.0.0.1
if [[ -z ${SLUICE_BIN:-} ]]; then
  SLUICE_BIN=$ROOT/.build-release/release/sluice
  [[ -x $SLUICE_BIN ]] || SLUICE_BIN=$ROOT/.build/release/sluice
fi
case "$SLUICE_BIN" in /*) ;; *) SLUICE_BIN=$ROOT/$SLUICE_BIN ;; esac

log() { echo "console-overhead: $*" >&2; }
die() { log "$*"; exit 1; }
py() { timeout 60 python3 "$HELPER" "$@"; }

[[ -x $SLUICE_BIN ]] || die "no sluice binary at $SLUICE_BIN (build it with 'swift build -c release', or set SLUICE_BIN)"

# ---------------------------------------------------------------- dependencies (only when missing)
missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
command -v redis-benchmark >/dev/null || missing+=(redis-tools)
command -v iperf3 >/dev/null || missing+=(iperf3)
command -v tmux >/dev/null || missing+=(tmux)
command -v ss >/dev/null || missing+=(iproute2)
if (( ${#missing[@]} )); then
  SUDO=""; [[ $(id -u) -eq 0 ]] || SUDO=sudo
  log "installing ${missing[*]}"
  $SUDO env DEBIAN_FRONTEND=noninteractive timeout 300 apt-get update -qq >/dev/null
  $SUDO env DEBIAN_FRONTEND=noninteractive timeout 300 apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# ---------------------------------------------------------------- fds: CONNS client + CONNS upstream sockets
hard=$(ulimit -Hn)
if [[ $hard == unlimited ]]; then ulimit -Sn 65536 2>/dev/null || true; else ulimit -Sn "$hard" 2>/dev/null || true; fi
need=$((2 * CONNS + 500))
(( $(ulimit -Sn) >= need )) || die "need $need fds for CONNS=$CONNS, soft limit is $(ulimit -Sn) (hard $hard)"

# ---------------------------------------------------------------- ports: five free ones in 24200–24299
listening() { ss -Htan "( sport = :$1 )" 2>/dev/null | grep -q .; }
PORTS=()
for p in $(seq 24200 24299); do
  listening "$p" || PORTS+=("$p")
  (( ${#PORTS[@]} == 5 )) && break
done
(( ${#PORTS[@]} == 5 )) || die "fewer than 5 free ports in 24200–24299"
P_REDIS=${PORTS[0]} P_IPERF=${PORTS[1]} P_PROXY_REDIS=${PORTS[2]} P_PROXY_IPERF=${PORTS[3]} P_ADMIN=${PORTS[4]}

# ---------------------------------------------------------------- processes and cleanup
WORK=$(mktemp -d /tmp/sluice-console-overhead.XXXXXX)
SOCK="sluice-overhead-$$"
TMUX_CMD=(tmux -L "$SOCK" -f /dev/null)
REDIS_PID="" SLUICE_PID="" HOLD_PID="" IPERF_PID="" TMUX_SOCKET=""

stop_pid() {  # stop_pid PID [SECONDS]: TERM, wait, KILL
  local pid=$1 i
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq $((${2:-5} * 10))); do alive "$pid" || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
}
# alive PID: running and not a zombie (tmux may not have reaped sluice yet)
alive() { local st; st=$(ps -o stat= -p "$1" 2>/dev/null || true); [[ -n $st && ${st#Z} == "$st" ]]; }
stop_tmux() {
  "${TMUX_CMD[@]}" kill-server 2>/dev/null || true
  [[ -z $TMUX_SOCKET ]] || rm -f "$TMUX_SOCKET"
  TMUX_SOCKET=""
}
cleanup() {
  set +e
  stop_pid "$HOLD_PID"; stop_pid "$IPERF_PID"; stop_pid "$SLUICE_PID"; stop_tmux; stop_pid "$REDIS_PID"
  wait 2>/dev/null
  if [[ -n ${KEEP_WORK:-} ]]; then log "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_listen() {  # wait_listen PORT SECONDS
  local i
  for i in $(seq $(($2 * 20))); do
    ss -Htln "( sport = :$1 )" 2>/dev/null | grep -q . && return 0
    sleep 0.05
  done
  return 1
}
wait_free() { local i; for i in $(seq 100); do ss -Htln "( sport = :$1 )" 2>/dev/null | grep -q . || return 0; sleep 0.1; done; }
now() { echo "$EPOCHREALTIME"; }
pct() { awk -v a="$1" -v b="$2" -v t0="$3" -v t1="$4" 'BEGIN { printf "%.1f", 100 * (b - a) / (t1 - t0) }'; }

# ---------------------------------------------------------------- redis upstream (one for the whole run)
timeout 600 redis-server --port "$P_REDIS" --bind $L --save "" --appendonly no --protected-mode no \
  --maxclients 10000 --dir "$WORK" --logfile "$WORK/redis.log" </dev/null &
REDIS_PID=$!
wait_listen "$P_REDIS" 10 || die "redis-server did not start on $P_REDIS"

write_config() {  # write_config DIR
  cat >"$1/config.yaml" <<YAML
sluice:
  stream_proxy:
    tcp:
      - "$L:$P_PROXY_REDIS"
      - "$L:$P_PROXY_IPERF"
  admin:
    listen: "$L:$P_ADMIN"
    key: "console-overhead-bench-key-000000"
  drain_timeout: 1
  data_file: gateway.yaml
YAML
  cat >"$1/gateway.yaml" <<YAML
stream_routes:
  - id: "redis"
    server_port: $P_PROXY_REDIS
    upstream:
      type: roundrobin
      timeout: {connect: 5, send: 600, read: 600}
      nodes:
        "$L:$P_REDIS": 1
  - id: "iperf"
    server_port: $P_PROXY_IPERF
    upstream:
      type: roundrobin
      timeout: {connect: 5, send: 600, read: 600}
      nodes:
        "$L:$P_IPERF": 1
YAML
}

screen() { "${TMUX_CMD[@]}" capture-pane -p -t bench 2>/dev/null; }
wait_screen() {  # wait_screen REGEX SECONDS
  local i
  for i in $(seq $(($2 * 10))); do
    screen | grep -qE -- "$1" && return 0
    alive "$SLUICE_PID" || return 1
    sleep 0.1
  done
  return 1
}

start_sluice() {  # start_sluice MODE DIR
  local mode=$1 dir=$2
  if [[ $mode == headless ]]; then
    (cd "$dir" && exec timeout 600 "$SLUICE_BIN" --headless --config "$dir/config.yaml") 2>"$dir/sluice.log" &
    SLUICE_PID=$!
  else
    # --foreground: sluice stays in the terminal's foreground process group (it reads the keyboard)
    "${TMUX_CMD[@]}" -u new-session -d -s bench -x "$COLS" -y "$ROWS" \
      -e LANG=C.UTF-8 -e LC_ALL=C.UTF-8 -e TERM=tmux-256color \
      "cd '$dir' && exec timeout --foreground 600 '$SLUICE_BIN' --config '$dir/config.yaml'"
    TMUX_SOCKET=$("${TMUX_CMD[@]}" display-message -p -t bench '#{socket_path}')
    SLUICE_PID=$("${TMUX_CMD[@]}" display-message -p -t bench '#{pane_pid}')
  fi
  # timeout is the parent: measure (and stop) sluice itself
  local i c
  for i in $(seq 100); do
    c=$(pgrep -P "$SLUICE_PID" 2>/dev/null | head -1 || true)
    [[ -n $c ]] && { SLUICE_PID=$c; break; }
    sleep 0.05
  done
  [[ -n $c ]] || die "$mode: sluice did not start"
  wait_listen "$P_PROXY_REDIS" 20 && wait_listen "$P_PROXY_IPERF" 5 || { screen >&2 || true; die "$mode: sluice is not listening"; }
  if [[ $mode != headless ]]; then
    wait_screen "Listeners" 20 || { screen >&2; die "$mode: no Dashboard"; }
    if [[ $mode == console-conns ]]; then
      "${TMUX_CMD[@]}" send-keys -t bench 2
      wait_screen "sorted by" 10 || { screen >&2; die "$mode: no Connections screen"; }
    fi
  fi
}

stop_sluice() {  # stop_sluice MODE
  if [[ $1 != headless ]] && alive "$SLUICE_PID"; then
    "${TMUX_CMD[@]}" send-keys -t bench q
    if wait_screen "Quit\?" 5; then "${TMUX_CMD[@]}" send-keys -t bench y; fi
    local i; for i in $(seq 100); do alive "$SLUICE_PID" || break; sleep 0.1; done
  fi
  stop_pid "$SLUICE_PID"
  SLUICE_PID=""
  stop_tmux
  wait_free "$P_PROXY_REDIS"; wait_free "$P_PROXY_IPERF"; wait_free "$P_ADMIN"
}

RAW="$WORK/raw.tsv"
printf 'rep\tmode\tidle_cpu_pct\tredis_rps\tredis_cpu_pct\tiperf_gbps\tiperf_cpu_pct\trss_mib\tbusy_max\tconns\n' >"$RAW"

run_mode() {  # run_mode MODE REP
  local mode=$1 rep=$2 dir="$WORK/$1-$2" b busy_max=0 c0 c1 t0 t1 idle rps rcpu gbps icpu rss held
  mkdir -p "$dir"
  note_busy() { (( $1 > busy_max )) && busy_max=$1; return 0; }
  write_config "$dir"
  start_sluice "$mode" "$dir"

  # CONNS idle connections through the proxy to redis
  timeout 120 python3 "$HELPER" hold --target "$L:$P_PROXY_REDIS" --upstream-port "$P_REDIS" \
    --count "$CONNS" --ready "$dir/held" --timeout 40 &
  HOLD_PID=$!
  local i; for i in $(seq 450); do [[ -f $dir/held ]] && break; sleep 0.1; done
  held=$(cat "$dir/held" 2>/dev/null || echo "none")
  [[ $held == ok* ]] || log "$mode: only '$held' of $CONNS connections reached redis"
  held=${held#* }
  sleep 1.5   # let the console show them (it redraws every 0.5 s)

  # 1. idle: the console's own cost with CONNS connections open
  b=$(py quiet --max "$QUIET_MAX_PCT" --wait "$QUIET_WAIT_S" --exclude "$SLUICE_PID"); note_busy "$b"
  c0=$(py cpu "$SLUICE_PID"); t0=$(now)
  sleep "$IDLE_S"
  c1=$(py cpu "$SLUICE_PID"); t1=$(now)
  idle=$(pct "$c0" "$c1" "$t0" "$t1")
  [[ $mode == headless ]] || screen >"$dir/screen.txt"   # what the console showed (kept with KEEP_WORK=1)

  # 2. redis request/response through the proxy, fixed duration
  b=$(py quiet --max "$QUIET_MAX_PCT" --wait "$QUIET_WAIT_S" --exclude "$SLUICE_PID"); note_busy "$b"
  c0=$(py cpu "$SLUICE_PID"); t0=$(now)
  timeout -s INT "$REDIS_S" redis-benchmark -h $L -p "$P_PROXY_REDIS" -t ping_mbulk -c 50 -k 1 \
    -n 1000000000 >"$dir/redis-benchmark.out" 2>&1 || true
  c1=$(py cpu "$SLUICE_PID"); t1=$(now)
  rps=$(py rps "$dir/redis-benchmark.out"); rcpu=$(pct "$c0" "$c1" "$t0" "$t1")

  # 3. bulk through the proxy: one iperf3 stream
  timeout $((IPERF_S + 30)) iperf3 -s -1 -B $L -p "$P_IPERF" >"$dir/iperf3-server.log" 2>&1 &
  IPERF_PID=$!
  wait_listen "$P_IPERF" 10 || log "$mode: iperf3 server did not start"
  b=$(py quiet --max "$QUIET_MAX_PCT" --wait "$QUIET_WAIT_S" --exclude "$SLUICE_PID"); note_busy "$b"
  c0=$(py cpu "$SLUICE_PID"); t0=$(now)
  timeout $((IPERF_S + 15)) iperf3 -c $L -p "$P_PROXY_IPERF" -t "$IPERF_S" -J >"$dir/iperf3.json" 2>"$dir/iperf3.err" || true
  c1=$(py cpu "$SLUICE_PID"); t1=$(now)
  gbps=$(py gbps "$dir/iperf3.json"); icpu=$(pct "$c0" "$c1" "$t0" "$t1")
  stop_pid "$IPERF_PID"; IPERF_PID=""

  rss=$(py rss "$SLUICE_PID")
  b=$(py busy 0.5 --exclude "$SLUICE_PID"); note_busy "$b"   # after: what is left is other jobs

  stop_pid "$HOLD_PID"; HOLD_PID=""
  stop_sluice "$mode"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$rep" "$mode" "$idle" "${rps:-}" "$rcpu" "${gbps:-}" "$icpu" \
    "${rss:-}" "$busy_max" "$held" >>"$RAW"
  log "rep $rep $mode: idle ${idle}% cpu, redis ${rps:-?} req/s (${rcpu}% cpu), iperf3 ${gbps:-?} Gbit/s (${icpu}% cpu), rss ${rss:-?} MiB, conns $held, others' busy max ${busy_max}%"
}

read -r -a MODE_LIST <<<"$MODES"
log "sluice $SLUICE_BIN; $CONNS conns; REPS=$REPS; nofile $(ulimit -Sn); ports redis $P_REDIS iperf3 $P_IPERF proxy $P_PROXY_REDIS/$P_PROXY_IPERF admin $P_ADMIN"
for rep in $(seq "$REPS"); do
  n=${#MODE_LIST[@]}
  for k in $(seq 0 $((n - 1))); do
    run_mode "${MODE_LIST[$(((k + rep - 1) % n))]}" "$rep"   # the order rotates between reps
  done
done

# ---------------------------------------------------------------- table: medians over reps, ratios vs headless
echo
echo "console overhead: $CONNS idle conns, $(nproc) cores, REPS=$REPS, idle ${IDLE_S}s, redis ${REDIS_S}s (ping_mbulk -c 50 -k 1), iperf3 ${IPERF_S}s (1 stream)"
echo "CPU % = sluice utime+stime / wall time (100 = one core)"
python3 - "$RAW" "$QUIET_MAX_PCT" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
limit = int(sys.argv[2])
cols = [("idle_cpu_pct", "idle CPU % (conns)"), ("redis_rps", "redis req/s"), ("redis_cpu_pct", "CPU % redis"),
        ("iperf_gbps", "iperf3 Gbit/s"), ("iperf_cpu_pct", "CPU % iperf3"), ("rss_mib", "RSS MiB")]
modes = list(dict.fromkeys(r["mode"] for r in rows))
def clean(mode):  # the reps with a quiet box; all of them if none was quiet
    mine = [r for r in rows if r["mode"] == mode]
    return [r for r in mine if int(r["busy_max"]) <= limit] or mine
def med(mode, key):
    v = [float(r[key]) for r in clean(mode) if r[key] not in ("", None)]
    return statistics.median(v) if v else None
def fmt(key, v):
    if v is None: return "-"
    return f"{v:.0f}" if key == "redis_rps" else f"{v:.2f}" if key == "iperf_gbps" else f"{v:.1f}"
head = ["mode"] + [c[1] for c in cols] + ["conns", "note"]
out = []
for m in modes:
    mine = [r for r in rows if r["mode"] == m]
    nbusy = sum(int(r["busy_max"]) > limit for r in mine)
    note = "" if not nbusy else ("busy" if nbusy == len(mine) else f"{nbusy} busy, left out")
    out.append([m] + [fmt(k, med(m, k)) for k, _ in cols] + ["/".join(r["conns"] for r in mine), note])
if "headless" in modes:
    for m in modes:
        if m == "headless": continue
        cells = []
        for k, _ in cols:
            a, b = med(m, k), med("headless", k)
            if a is None or b is None: cells.append("-")
            elif k == "idle_cpu_pct": cells.append(f"{a - b:+.1f} pts")   # headless idles at ~0: a ratio means nothing
            elif b: cells.append(f"{a / b:.2f}x")
            else: cells.append("-")
        out.append([f"{m}/headless"] + cells + ["", ""])
w = [max(len(str(x)) for x in col) for col in zip(head, *out)]
line = lambda cells: "| " + " | ".join(str(c).ljust(n) for c, n in zip(cells, w)) + " |"
print(line(head)); print("|" + "|".join("-" * (n + 2) for n in w) + "|")
for r in out: print(line(r))
print()
print("ratio rows: console / headless, except idle CPU: the difference in percentage points of one core")
print("busy = another job kept the box above %d%% CPU (sluice's own CPU excluded) before or after a measurement" % limit)
PY
