#!/usr/bin/env bash
# bench.sh — `make bench` / `make bench-short`: routing microbenchmarks, then ../shared/peerbench twice (Sluice as
# the candidate, then the nio-floor forwarder as the candidate), then one ratio table from both runs.
# Prints figures and asserts nothing (Benchmarks/README.md). Run from the project root, as root (peerbench's ulimit).
#   --quick            the short microbenchmark run (fewer samples)
#   environment:       REPS WORKLOADS DURATION CONN_N … pass through to peerbench.sh;
#                      PROXIES (peerbench's default for the Sluice run), FLOOR_PROXIES (nginx: the anchor shared
#                      by both runs), BENCH_OUT (default /tmp/sluice-bench/<timestamp>),
#                      NIO_FLOOR_DIR (where nio-floor is copied and built, default /tmp/sluice-nio-floor)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PEERBENCH=../shared/peerbench
OUT=${BENCH_OUT:-/tmp/sluice-bench/$(date +%Y%m%d-%H%M%S)}
FLOOR_DIR=${NIO_FLOOR_DIR:-/tmp/sluice-nio-floor}
quick=()
[[ ${1:-} == --quick ]] && quick=(--quick)
mkdir -p "$OUT"
log() { printf '[bench %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

log "release build"
swift build -c release
log "microbenchmarks → $OUT/micro.md"
.build/release/sluice-bench "${quick[@]}" | tee "$OUT/micro.md"

[[ -d $PEERBENCH ]] || { log "no $PEERBENCH: peer comparison skipped"; exit 0; }
log "nio-floor release build in $FLOOR_DIR"
mkdir -p "$FLOOR_DIR"
cp -r "$PEERBENCH/nio-floor/." "$FLOOR_DIR/"
(cd "$FLOOR_DIR" && swift build -c release >"$OUT/nio-floor-build.log" 2>&1) \
  || { log "nio-floor build failed: $OUT/nio-floor-build.log"; exit 1; }

install=()
for tool in haproxy redis-server redis-benchmark wrk iperf3 dnsperf dnsmasq; do
  command -v "$tool" >/dev/null || install=(--install)
done

log "peerbench, candidate sluice → $OUT/peer-sluice"
OUT_DIR=$OUT/peer-sluice SLUICE_BIN=$PWD/.build/release/sluice CANDIDATE_NAME=sluice \
  CANDIDATE_CMD="$PEERBENCH/candidates/sluice.sh {proto} {listen} {upstream} {workdir}" \
  bash "$PEERBENCH/peerbench.sh" "${install[@]}" >"$OUT/peer-sluice.log" 2>&1 \
  || { log "peerbench (sluice) failed: $OUT/peer-sluice.log"; tail -5 "$OUT/peer-sluice.log" >&2; exit 1; }

log "peerbench, candidate niofloor → $OUT/peer-niofloor"
OUT_DIR=$OUT/peer-niofloor PROXIES=${FLOOR_PROXIES:-nginx} CANDIDATE_NAME=niofloor \
  CANDIDATE_CMD="exec $FLOOR_DIR/.build/release/fwd {listen_port} {upstream_port}" \
  bash "$PEERBENCH/peerbench.sh" >"$OUT/peer-niofloor.log" 2>&1 \
  || { log "peerbench (niofloor) failed: $OUT/peer-niofloor.log"; tail -5 "$OUT/peer-niofloor.log" >&2; exit 1; }

python3 Benchmarks/peer_ratios.py --helpers "$PEERBENCH/helpers" \
  "$OUT/peer-sluice/raw.jsonl" "$OUT/peer-niofloor/raw.jsonl" | tee "$OUT/ratios.md"
log "results in $OUT (peer summaries: peer-*/summary.md)"
