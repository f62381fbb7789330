# Sluice — common tasks.  `make test` is what CI runs (.ci/run).
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := build

SWIFT ?= swift
PYTHON ?= python3
CONFIG ?= conf/config.yaml
SMOKE := ../shared/contract/smoke.sh

.PHONY: run run-headless build test e2e reliability soak fuzz sanitize sanitize-build sanitize-run bench bench-short clean

# Runs the gateway with the operator console on conf/ (`make run-headless` for the engine alone).
run:
	scripts/install-run-deps.sh
	$(SWIFT) build -c release
	exec .build/release/sluice --config $(CONFIG)

run-headless:
	scripts/install-run-deps.sh
	$(SWIFT) build -c release
	exec .build/release/sluice --headless --config $(CONFIG)

build:
	$(SWIFT) build

# Everything, each stage timed (scripts/test-all.sh): the debug build; unit tests; the end-to-end suite against the
# debug binary — once with plain TCP routes on the kernel fast path (the default), once with every connection
# through NIO (SLUICE_FAST_PATH=off) —; the short form of the reliability suite; the operator contract check when
# the shared contract is present; the libFuzzer targets for FUZZ_SECONDS (20) each; a 60 s soak; the engine's unit
# tests under AddressSanitizer (built in the background at nice 19 meanwhile). Any failure fails.
test:
	scripts/install-test-deps.sh
	scripts/test-all.sh

# The end-to-end suite alone (no build), against whatever binary is there.
e2e:
	SLUICE_BIN=$(CURDIR)/.build/debug/sluice $(PYTHON) -m pytest -q Tests/e2e

# The whole reliability suite (Tests/reliability): crash inputs through every path, Admin API abuse,
# log injection, secrets.
reliability:
	scripts/install-test-deps.sh
	$(SWIFT) build
	SLUICE_BIN=$(CURDIR)/.build/debug/sluice $(PYTHON) -m pytest -q Tests/reliability

# A bounded soak (Tests/soak/soak.py): short and long TCP, UDP sessions, Admin writes, hand edits and reloads for
# SOAK_SECONDS (default 30 minutes), RSS / fds / CPU printed every SOAK_REPORT seconds; fails on any lost byte
# or when RSS or fds grow after the warm-up. `make test` runs it for 60 s.
SOAK_SECONDS ?= 1800
soak:
	scripts/install-test-deps.sh
	$(SWIFT) build
	SOAK_SECONDS=$(SOAK_SECONDS) SLUICE_BIN=$(CURDIR)/.build/debug/sluice $(PYTHON) Tests/soak/soak.py

# libFuzzer targets (Fuzz/, the `sluice-fuzz` executable): each of FUZZ_TARGETS runs FUZZ_RUNS inputs (-1: no
# limit) for at most FUZZ_SECONDS (0: no limit) from its seed corpus in Fuzz/Corpus; findings go to .build/fuzz.
# Built with AddressSanitizer, coverage and libFuzzer's driver: FUZZ_CONFIG=release in .build-fuzz by default (for
# speed); `make test` uses FUZZ_CONFIG=debug FUZZ_SCRATCH=.build-address, the build `make sanitize-build` made.
FUZZ_TARGETS ?= json yaml storedobjects mqtt proxyprotocol clienthello admin
FUZZ_RUNS ?= 1000000
FUZZ_SECONDS ?= 0
FUZZ_CONFIG ?= release
FUZZ_SCRATCH ?= .build-fuzz
FUZZER_LIB = $(firstword $(wildcard $(dir $(shell readlink -f $$(command -v $(SWIFT))))../lib/clang/*/lib/linux/libclang_rt.fuzzer_no_main-x86_64.a))
FUZZ_FLAGS = --sanitize=address -Xswiftc -DSLUICE_FUZZ \
	-Xswiftc -sanitize-coverage=edge,trace-cmp,inline-8bit-counters,pc-table \
	-Xcc -fsanitize=fuzzer-no-link -Xlinker $(FUZZER_LIB) -Xlinker -lstdc++
fuzz:
	test -n "$(FUZZER_LIB)" || { echo "libclang_rt.fuzzer_no_main not found in the Swift toolchain"; exit 1; }
	$(SWIFT) build -c $(FUZZ_CONFIG) --scratch-path $(FUZZ_SCRATCH) $(FUZZ_FLAGS) --product sluice-fuzz
	for t in $(FUZZ_TARGETS); do \
	  mkdir -p .build/fuzz/$$t; \
	  $(FUZZ_SCRATCH)/$(FUZZ_CONFIG)/sluice-fuzz $$t -runs=$(FUZZ_RUNS) -max_total_time=$(FUZZ_SECONDS) -max_len=8192 \
	    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix=$(CURDIR)/.build/fuzz/ \
	    .build/fuzz/$$t Fuzz/Corpus/$$t || exit 1; \
	done

# The engine's unit tests (SluiceEngineTests) under a sanitizer: SANITIZER=address (the default) or thread, built in
# a path of its own (.build-address, .build-thread) so the plain debug build stays as it is. With address, the same
# build carries the fuzz flags, so that `make test` gets its fuzz targets from it (`sluice-fuzz`) instead of a third
# full build. `make test` runs both halves (the ASan build ~8–10 min on 2 cores from scratch, in the background;
# the run ~80–120 s). Leak detection is off: at exit LeakSanitizer reports only FoundationEssentials' buffer for
# reading an empty file and what the tasks still scheduled on test event loops that are never shut down hold
# (2026-12-01: 224 tests, no ASan error).
SANITIZER ?= address
SANITIZE_FILTER ?= SluiceEngineTests
SANITIZE_FLAGS = $(if $(filter address,$(SANITIZER)),$(FUZZ_FLAGS),--sanitize=$(SANITIZER))
sanitize: sanitize-build sanitize-run
sanitize-build:
	test "$(SANITIZER)" != address || test -n "$(FUZZER_LIB)" || { echo "libclang_rt.fuzzer_no_main not found"; exit 1; }
	$(SWIFT) build --build-tests --scratch-path .build-$(SANITIZER) $(SANITIZE_FLAGS)
sanitize-run:
	ASAN_OPTIONS=detect_leaks=0 $(SWIFT) test --skip-build --scratch-path .build-$(SANITIZER) $(SANITIZE_FLAGS) \
	  --filter $(SANITIZE_FILTER)

# Release build, routing microbenchmarks, ../shared/peerbench with Sluice and with nio-floor as candidates, one
# ratio table (Benchmarks/README.md). REPS, WORKLOADS, DURATION, CONN_N … pass through.  Not part of `make test`.
bench:
	bash Benchmarks/bench.sh

# A bounded few-minute run of the same pipeline (one rep of the two connection workloads, short loads).
bench-short:
	REPS=$${REPS:-1} WORKLOADS="$${WORKLOADS:-connrate_redis connrate_http}" DURATION=$${DURATION:-2} \
	  CONN_N=$${CONN_N:-2000} bash Benchmarks/bench.sh --quick

clean:
	$(SWIFT) package clean
	rm -rf Tests/e2e/__pycache__ Tests/reliability/__pycache__ .pytest_cache .build/fuzz .build-address .build-thread .build-fuzz
