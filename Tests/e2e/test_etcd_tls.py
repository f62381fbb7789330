"""TLS to etcd: https:// members started with --cert-file/--key-file/
--trusted-ca-file/--client-cert-auth, certificates made by openssl in the
test.  The members' certificate is checked against `ssl_trusted_certificate`
(APISIX's `apisix.ssl` key) and the gateway shows its client certificate
(`deployment.etcd.tls.cert`/`key`); a CA that did not sign the members'
certificate, or no client certificate, is reported with the member and why."""

import json

import pytest

import harness
from harness import named_server, run_validate, wait_until
from test_etcd import P, etcd_status, reaches, stream_route, upstream
from tlsutil import CA


@pytest.fixture
def tls_etcd(tmp_path):
    """A TLS-only single-member etcd, its CA, and a client certificate it accepts."""
    ca = CA(tmp_path / "pki", "etcdca")
    # etcd's JSON gateway connects to etcd's own gRPC port with this certificate too: both usages
    cert, key = ca.issue_files("etcd", sans=["etcd.test"], ips=[harness.LOOPBACK], server_and_client=True)
    client_cert, client_key = ca.issue_files("gateway", client=True)
    e = harness.start_etcd(tmp_path / "etcd", tls={"ca": ca.cert_path, "cert": cert, "key": key,
                                                     "client_cert": client_cert, "client_key": client_key})
    e.client = {"cert": client_cert, "key": client_key}
    e.ca = ca
    yield e
    e.stop()


def tls_gateway(sluice, etcd, name, *, role="data_plane", trusted=None, tls=None, start=True):
    """A gateway of `etcd` over https://, trusting `trusted` (default: etcd's CA), with `tls` as
    `deployment.etcd.tls` (default: the accepted client certificate)."""
    gw = sluice(name=name, start=False, deployment=etcd.deployment(role, tls=etcd.client if tls is None else tls))
    text = gw.config_path.read_text()
    ca = str(trusted or etcd.ca.cert_path)
    gw.config_path.write_text(text.replace("sluice:\n", f"sluice:\n  ssl:\n    ssl_trusted_certificate: {json.dumps(ca)}\n", 1))
    if start:
        gw.start()
    return gw


@pytest.mark.time_limit(90)
def test_mutual_tls_read_watch_and_write(sluice, tls_etcd):
    etcd = tls_etcd
    one, two = named_server("ONE"), named_server("TWO")
    dp = tls_gateway(sluice, etcd, "dp")
    tr = tls_gateway(sluice, etcd, "tr", role="traditional")
    assert etcd.urls[0].startswith("https://")

    # written by etcdctl over TLS: read and watched over TLS by both
    etcd.put(f"{P}/upstreams/1", upstream("1", one.addr))
    etcd.put(f"{P}/stream_routes/dp", stream_route("dp", dp.port, "1"))
    wait_until(reaches(dp.port, "ONE"), 5, "the data plane to serve what etcdctl wrote")
    st = etcd_status(dp)
    assert st["reachable"] is True and st["error"] is None and st["source"].startswith("etcd https://"), st
    # The data plane serving says nothing of the traditional gateway, which validates writes against what it has
    # applied: wait until it has applied etcd's newest revision (upstream 1) before writing through it.
    newest = etcd.revision()
    wait_until(lambda: etcd_status(tr)["revision"] == newest, 10, "the traditional gateway to apply upstream 1")

    # written through the traditional gateway's Admin API: a transaction over TLS, followed by everyone
    code, _, body = tr.admin("PUT", "/apisix/admin/stream_routes/tr", stream_route("tr", tr.port, "1"))
    assert code == 201, body
    code, _, body = tr.admin("PUT", "/apisix/admin/upstreams/1", upstream("1", two.addr))
    assert code == 200, body
    wait_until(reaches(tr.port, "TWO"), 5, "the traditional gateway to serve its own write")
    wait_until(reaches(dp.port, "TWO"), 5, "the data plane to follow the write")
    raw = json.loads(etcd.ctl("get", f"{P}/stream_routes/tr", "--print-value-only"))
    assert raw["server_port"] == tr.port


@pytest.mark.time_limit(90)
def test_wrong_ca_is_reported_with_the_member_and_why(sluice, tls_etcd, tmp_path):
    etcd = tls_etcd
    other = CA(tmp_path / "other", "otherca")
    one = named_server("ONE")
    etcd.put(f"{P}/upstreams/1", upstream("1", one.addr))
    gw = tls_gateway(sluice, etcd, "wrongca", trusted=other.cert_path)
    etcd.put(f"{P}/stream_routes/1", stream_route("1", gw.port, "1"))
    wait_until(lambda: etcd_status(gw)["error"], 10, "the status to show the TLS failure")
    st = etcd_status(gw)
    assert st["reachable"] is False, st
    assert etcd.urls[0] in st["error"], st
    assert "not signed by a trusted CA" in st["error"] and str(other.cert_path) in st["error"], st
    assert gw.admin("GET", "/apisix/admin/stream_routes")[2]["total"] == 0  # nothing served
    assert "not signed by a trusted CA" in gw.stderr()


@pytest.mark.time_limit(90)
def test_no_client_certificate_is_reported(sluice, tls_etcd):
    etcd = tls_etcd
    gw = tls_gateway(sluice, etcd, "nocert", tls={"verify": True})
    wait_until(lambda: etcd_status(gw)["error"], 10, "the status to show the refusal")
    st = etcd_status(gw)
    assert st["reachable"] is False and etcd.urls[0] in st["error"], st
    assert "client certificate" in st["error"], st


def test_tls_with_http_members_is_refused(sluice, sluice_bin, etcd_server, tmp_path):
    ca = CA(tmp_path / "pki", "ca")
    cert, key = ca.issue_files("gateway", client=True)
    gw = sluice(name="plain", start=False, deployment=etcd_server.deployment(tls={"cert": cert, "key": key}))
    rc, out = run_validate(sluice_bin, gw.config_path)
    assert rc == 1, out
    assert "deployment.etcd.tls: applies to https:// members only" in out, out
    gw.start(wait=False)
    assert gw.proc.wait(timeout=20) == 1
    assert "deployment.etcd.tls: applies to https:// members only" in gw.stderr()


def test_tls_files_that_do_not_load_stop_the_start(sluice, sluice_bin, tmp_path):
    bad = tmp_path / "not-a-cert.pem"
    bad.write_text("not a certificate\n")
    deployment = "\n".join(["deployment:", "  role: data_plane", "  role_data_plane:", "    config_provider: etcd",
                            "  etcd:", '    host: ["https://127.0.0.1:2379"]', "    tls:",
                            f'      cert: "{bad}"', f'      key: "{bad}"'])
    gw = sluice(name="badcert", start=False, deployment=deployment)
    rc, out = run_validate(sluice_bin, gw.config_path)
    assert rc == 1 and f"deployment.etcd.tls.cert: cannot load {bad}" in out, out
    gw.start(wait=False)
    assert gw.proc.wait(timeout=20) == 1
    assert f"deployment.etcd.tls.cert: cannot load {bad}" in gw.stderr()
