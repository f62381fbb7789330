"""Secrets never reach a log and the files holding them are 0600: the admin key (given or generated), keys
tried by clients, and TLS private keys written through the Admin API."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from harness import ADMIN_KEY, route, wait_until

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))
from tlsutil import CA  # noqa: E402


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.time_limit(90)
def test_keys_are_not_logged_and_key_files_are_0600(sluice, echo, tmp_path):
    sl = sluice(gateway={"stream_routes": [route("1", [f"127.0.0.1:{echo.port}"])]})
    cert, key = CA(tmp_path / "pki").issue("secret.example.com")
    status, _, body = sl.admin("PUT", "/apisix/admin/ssls/s", {"cert": cert, "key": key,
                                                               "snis": ["secret.example.com"]})
    assert status == 201, body
    assert "key" not in body["value"], "the private key was returned"
    assert _mode(sl.data_path) == 0o600, oct(_mode(sl.data_path))
    guessed = "guessed-key-that-is-wrong-0123456789"
    assert sl.admin("GET", "/apisix/admin/status", key=guessed)[0] == 401
    assert sl.admin("GET", f"/apisix/admin/status?api_key={guessed}", key=None)[0] == 401
    sl.stop()
    logs = sl.output() + (sl.log_path.read_text() if sl.log_path.exists() else "")
    key_body = "".join(key.strip().splitlines()[1:-1])[:40]
    for secret in (ADMIN_KEY, guessed, key_body):
        assert secret not in logs, f"a secret reached a log: {secret[:8]}…"


@pytest.mark.time_limit(60)
def test_generated_admin_key_file_is_0600_and_the_key_unlogged(sluice):
    sl = sluice(admin_key=None)
    wait_until(lambda: "key:" in sl.config_path.read_text(), 5, "the generated key to be written back")
    assert _mode(sl.config_path) == 0o600, oct(_mode(sl.config_path))
    generated = [l.split(":", 1)[1].strip().strip('"') for l in sl.config_path.read_text().splitlines()
                 if l.strip().startswith("key:")][0]
    assert len(generated) >= 32
    assert generated not in sl.output()
