"""Fixtures for Sluice's end-to-end tests.

The binary comes from $SLUICE_BIN (default: .build/debug/sluice under the repo
root).  Without it the tests are skipped, except under CI ($CI set), where a
missing binary is a failure.
"""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path

import pytest

import harness
from harness import REPO_ROOT, RedisServer, Sluice, Watchdog

DEFAULT_TEST_SECONDS = 60


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "time_limit(seconds): per-test watchdog limit (default 60 s)")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)


def _test_failed(request) -> bool:
    rep = getattr(request.node, "rep_call", None)
    return rep is None or rep.failed


@pytest.fixture(scope="session")
def sluice_bin() -> str:
    env = os.environ.get("SLUICE_BIN")
    path = Path(env) if env else REPO_ROOT / ".build" / "debug" / "sluice"
    if not path.is_absolute():
        path = REPO_ROOT / path
    if not (path.is_file() and os.access(path, os.X_OK)):
        msg = (f"sluice binary not found at {path} "
               "(build it with `swift build`, or set SLUICE_BIN)")
        if os.environ.get("CI"):
            pytest.fail(msg + " — required under CI", pytrace=False)
        pytest.skip(msg)
    return str(path)


@pytest.fixture(autouse=True)
def _watchdog_and_cleanup(request):
    """Per-test time limit, and no process or socket outlives its test."""
    m = request.node.get_closest_marker("time_limit")
    seconds = m.args[0] if m else DEFAULT_TEST_SECONDS
    dog = Watchdog(seconds, request.node.nodeid)
    try:
        yield
    finally:
        dog.cancel()
        harness.kill_everything()


@pytest.fixture
def sluice(sluice_bin, tmp_path, request):
    """Factory: `sluice(gateway={...}, listeners=2, drain_timeout=1)` writes a
    config folder under tmp_path, starts `sluice --headless` and waits until
    every listener is up.  Pass start=False to only write the files.

    At teardown, when the test passed, open sockets are closed and each
    instance still running must stop on SIGTERM with exit status 0."""
    made: list[Sluice] = []

    def make(*, start: bool = True, name: str | None = None, **kw) -> Sluice:
        d = tmp_path / (name or f"sluice{len(made)}")
        s = Sluice(sluice_bin, d, **kw)
        made.append(s)
        if start:
            s.start()
        return s

    yield make

    failed = _test_failed(request)
    if not failed:
        harness.run_closers()
    problems = []
    for s in made:
        if s.proc is None:
            continue
        if s.alive() and not failed:
            try:
                s.stop()
            except AssertionError as e:
                problems.append(str(e))
        s.kill()
        s.close_files()
        if failed:
            print(f"--- sluice output ({s.dir}) ---\n{s.stderr_tail(60)}")
            log = s.log_entries()
            if log:
                print(f"--- access log (last 10 of {len(log)}) ---")
                for e in log[-10:]:
                    print(e["raw"])
    if problems:
        pytest.fail("at teardown: " + "; ".join(problems), pytrace=False)


@pytest.fixture
def redis_server(tmp_path):
    exe = shutil.which("redis-server")
    if not exe:
        msg = "redis-server is not installed (scripts/install-test-deps.sh)"
        if os.environ.get("CI"):
            pytest.fail(msg, pytrace=False)
        pytest.skip(msg)
    r = RedisServer(tmp_path / "redis", exe)
    yield r
    r.stop()


@pytest.fixture
def etcd_server(tmp_path):
    e = harness.start_etcd(tmp_path / "etcd")
    yield e
    e.stop()


@pytest.fixture
def echo():
    """A started in-process echo server on 127.0.0.1."""
    return harness.echo_server()
