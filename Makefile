# Sluice — common tasks.  `make test` is what CI runs (.ci/run).
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := build

SWIFT ?= swift
PYTHON ?= python3
CONFIG ?= conf/config.yaml
SMOKE := ../shared/contract/smoke.sh

.PHONY: run run-headless build test e2e reliability clean

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

# Unit tests, then the end-to-end suite against the debug binary — once with plain TCP routes on the kernel fast
# path (the default), once with every connection through NIO (SLUICE_FAST_PATH=off) —, then the short form of the
# reliability suite, then the operator contract check when the shared contract is present.  Any failure fails.
test:
	scripts/install-test-deps.sh
	$(SWIFT) build
	$(SWIFT) test
	SLUICE_BIN=$(CURDIR)/.build/debug/sluice $(PYTHON) -m pytest -q Tests/e2e
	SLUICE_FAST_PATH=off SLUICE_BIN=$(CURDIR)/.build/debug/sluice $(PYTHON) -m pytest -q Tests/e2e
	SLUICE_BIN=$(CURDIR)/.build/debug/sluice $(PYTHON) -m pytest -q Tests/reliability -m "not slow"
	if [ -f $(SMOKE) ]; then SLUICE_BIN=$(CURDIR)/.build/debug/sluice bash $(SMOKE); fi

# The end-to-end suite alone (no build), against whatever binary is there.
e2e:
	SLUICE_BIN=$(CURDIR)/.build/debug/sluice $(PYTHON) -m pytest -q Tests/e2e

# The whole reliability suite (Tests/reliability): crash inputs through every path, Admin API abuse,
# log injection, secrets.
reliability:
	scripts/install-test-deps.sh
	$(SWIFT) build
	SLUICE_BIN=$(CURDIR)/.build/debug/sluice $(PYTHON) -m pytest -q Tests/reliability

clean:
	$(SWIFT) package clean
	rm -rf Tests/e2e/__pycache__ Tests/reliability/__pycache__ .pytest_cache
