#!/usr/bin/env bash
# Everything `make test` (and so CI, `.ci/run`) runs after installing the test dependencies, each stage timed:
#
#   build            the debug build every later stage uses
#   unit             swift test
#   e2e              the end-to-end suite, plain TCP routes on the kernel fast path (the default)
#   e2e-nio          the end-to-end suite with every connection through NIO (SLUICE_FAST_PATH=off)
#   reliability      the short form of Tests/reliability (-m "not slow")
#   contract         ../shared/contract/smoke.sh, when present
#   soak             Tests/soak/soak.py for SOAK_SECONDS (default 60)
#   sanitize         the engine's unit tests under AddressSanitizer (`make sanitize`)
#   fuzz             every libFuzzer target for FUZZ_SECONDS (default 20) from its seed corpus
#
# The AddressSanitizer build (the second and last full build, in .build-address: the test bundle and the fuzz
# targets, with coverage and libFuzzer's driver) starts in the background at the lowest CPU priority right after
# the debug build, so it takes only the CPU the test stages leave idle (the end-to-end and soak stages mostly wait
# on sockets and timers); the sanitize and fuzz stages wait for it. A failing stage fails the run (the background
# build is stopped); the table of stage times is printed either way.
set -euo pipefail
cd "$(dirname "$0")/.."

SWIFT=${SWIFT:-swift}
PYTHON=${PYTHON:-python3}
MAKE=${MAKE:-make}
SMOKE=../shared/contract/smoke.sh
BIN=$PWD/.build/debug/sluice
SANITIZER_LOG=.build-address/background-build.log
export FUZZ_SECONDS=${FUZZ_SECONDS:-20}

times=()
sanitize_pid=""

report() {
  local rc=$?
  if [ -n "$sanitize_pid" ] && kill -0 "$sanitize_pid" 2>/dev/null; then
    kill -- "-$sanitize_pid" 2>/dev/null || kill "$sanitize_pid" 2>/dev/null || true
  fi
  echo
  echo "stage times (s):"
  for line in "${times[@]}"; do echo "  $line"; done
  [ "$rc" = 0 ] && echo "all stages passed" || echo "FAILED (exit $rc)"
}
trap report EXIT

# Runs one stage: `stage NAME COMMAND...`.
stage() {
  local name=$1; shift
  local start=$SECONDS
  echo "=== $(date -u +%H:%M:%S) $name: $*"
  if "$@"; then
    times+=("$(printf '%-12s %5d' "$name" $((SECONDS - start)))")
  else
    local rc=$?
    times+=("$(printf '%-12s %5d  FAILED' "$name" $((SECONDS - start)))")
    return "$rc"
  fi
}

# The ASan build, in a process group of its own (so that a failure elsewhere can stop all of it), at nice 19.
start_sanitizer_build() {
  mkdir -p .build-address
  echo "=== $(date -u +%H:%M:%S) sanitize build started in the background (log: $SANITIZER_LOG)"
  set -m
  nice -n 19 $MAKE --no-print-directory sanitize-build >"$SANITIZER_LOG" 2>&1 &
  sanitize_pid=$!
  set +m
}

# Waits for the background ASan build, shows its log's tail when it failed.
wait_for_sanitizer_build() {
  local rc=0
  wait "$sanitize_pid" || rc=$?
  sanitize_pid=""
  if [ "$rc" != 0 ]; then tail -n 60 "$SANITIZER_LOG"; return "$rc"; fi
  tail -n 1 "$SANITIZER_LOG"
}

stage build "$SWIFT" build
start_sanitizer_build
stage unit "$SWIFT" test
stage e2e env SLUICE_BIN="$BIN" "$PYTHON" -m pytest -q Tests/e2e
stage e2e-nio env SLUICE_FAST_PATH=off SLUICE_BIN="$BIN" "$PYTHON" -m pytest -q Tests/e2e
stage reliability env SLUICE_BIN="$BIN" "$PYTHON" -m pytest -q Tests/reliability -m "not slow"
if [ -f "$SMOKE" ]; then stage contract env SLUICE_BIN="$BIN" bash "$SMOKE"; fi
stage soak env SOAK_SECONDS="${SOAK_SECONDS:-60}" SOAK_REPORT=20 SLUICE_BIN="$BIN" "$PYTHON" Tests/soak/soak.py
stage asan-build wait_for_sanitizer_build
stage sanitize $MAKE --no-print-directory sanitize-run
stage fuzz $MAKE --no-print-directory fuzz FUZZ_CONFIG=debug FUZZ_SCRATCH=.build-address FUZZ_RUNS=-1 \
  FUZZ_SECONDS="$FUZZ_SECONDS"
