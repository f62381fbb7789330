"""Fixtures for the reliability suite: the end-to-end suite's own (sluice factory, watchdog, cleanup), loaded
from Tests/e2e/conftest.py so that both suites share one harness, plus a few probes of a process's resources."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

_E2E = Path(__file__).resolve().parents[1] / "e2e"
sys.path.insert(0, str(_E2E))
sys.path.insert(0, str(Path(__file__).resolve().parent))

_spec = importlib.util.spec_from_file_location("e2e_conftest", _E2E / "conftest.py")
_e2e = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_e2e)

# The e2e fixtures and hooks, registered here by name.
sluice_bin = _e2e.sluice_bin
sluice = _e2e.sluice
echo = _e2e.echo
_watchdog_and_cleanup = _e2e._watchdog_and_cleanup
pytest_runtest_makereport = _e2e.pytest_runtest_makereport


def pytest_configure(config):
    _e2e.pytest_configure(config)
    config.addinivalue_line(
        "markers", "slow: a longer probe, run by `make reliability` but not by `make test`")
