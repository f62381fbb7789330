"""Configuration history over HTTP: /sluice/v1/revisions lists every applied
change (Admin API, hand edit, SIGHUP, rollback, start), serves a revision's
document and diffs, rolls back (admin key only), and keeps numbering across a
restart."""

import pytest

from harness import ask, ask_new, connect, named_server, route, wait_until

REV = "/sluice/v1/revisions"


def _reaches(port, name):
    def cond():
        try:
            return ask_new(port, timeout=3).startswith(name + ":")
        except (EOFError, OSError):
            return False
    return cond


def _revisions(sl):
    st, _, body = sl.admin("GET", REV)
    assert st == 200, body
    return body


@pytest.mark.time_limit(90)
def test_history_diff_and_rollback_over_http(sluice):
    a, b, c = named_server("A"), named_server("B"), named_server("C")
    sl = sluice(gateway={"stream_routes": [route("1", [a.addr])]}, viewer_key="e2e-viewer")
    assert ask_new(sl.port) == "A:ping"
    first = _revisions(sl)
    assert first["total"] == 1 and first["list"][0]["source"] == "start"
    start_rev = first["list"][0]["revision"]

    # an Admin API write
    st, _, _ = sl.admin("PUT", "/apisix/admin/stream_routes/1", route("1", [b.addr]))
    assert st == 200
    wait_until(_reaches(sl.port, "B"), 10, "the API's change to reach the engine")
    # a hand edit, noticed by the watcher
    sl.write_gateway({"stream_routes": [route("1", [c.addr])]})
    wait_until(lambda: _revisions(sl)["total"] == 3, 10, "the hand edit to become a revision")
    wait_until(_reaches(sl.port, "C"), 10, "the hand edit to reach the engine")

    listed = _revisions(sl)
    assert [e["source"] for e in listed["list"]] == ["file", "admin_api", "start"]
    api_rev = listed["list"][1]["revision"]
    assert api_rev == start_rev + 1
    assert listed["list"][1]["changes"] == [{"resource": "stream_routes", "id": "1", "action": "update"}]
    assert "T" in listed["list"][0]["time"] and listed["list"][0]["time"].endswith("Z")

    st, _, page = sl.admin("GET", REV + "?page=2&page_size=10")
    assert st == 200 and page["total"] == 3 and page["list"] == []

    st, _, one = sl.admin("GET", f"{REV}/{api_rev}")
    assert st == 200 and one["source"] == "admin_api"
    assert str(b.port) in one["document"] and str(c.port) not in one["document"]
    assert sl.admin("GET", f"{REV}/999")[0] == 404

    st, h, diff = sl.admin("GET", f"{REV}/{api_rev + 1}/diff", as_text=True)
    assert st == 200 and h["Content-Type"].startswith("text/plain")
    assert diff.startswith(f"--- revision {api_rev}\n+++ revision {api_rev + 1}\n@@ ")
    assert any(l.startswith("-") and str(b.port) in l for l in diff.splitlines())
    assert any(l.startswith("+") and str(c.port) in l for l in diff.splitlines())
    st, _, back = sl.admin("GET", f"{REV}/{api_rev + 1}/diff?against={start_rev}", as_text=True)
    assert st == 200 and f"--- revision {start_rev}" in back and str(a.port) in back

    # the viewer key may read but not roll back
    assert sl.admin("GET", REV, key="e2e-viewer")[0] == 200
    assert sl.admin("POST", f"{REV}/{api_rev}/rollback", key="e2e-viewer")[0] == 403
    assert sl.admin("GET", f"{REV}/{api_rev}/rollback")[0] == 405

    held = connect(sl.port, timeout=5)
    assert ask(held, "held") == "C:held"
    st, _, entry = sl.admin("POST", f"{REV}/{api_rev}/rollback")
    assert st == 200, entry
    assert entry["source"] == "rollback" and entry["rolled_back_to"] == api_rev
    assert entry["revision"] == api_rev + 2
    wait_until(_reaches(sl.port, "B"), 10, "new connections to go to B after the rollback")
    assert ask(held, "still") == "C:still"  # open connections keep their node
    assert str(b.port) in sl.data_path.read_text()


@pytest.mark.time_limit(90)
def test_numbering_continues_across_a_restart(sluice):
    a, b = named_server("A"), named_server("B")
    sl = sluice(gateway={"stream_routes": [route("1", [a.addr])]})
    assert sl.admin("PUT", "/apisix/admin/upstreams/u", {"nodes": {a.addr: 1}})[0] == 201
    assert sl.admin("PUT", "/apisix/admin/upstreams/v", {"nodes": {b.addr: 1}})[0] == 201
    newest = _revisions(sl)["list"][0]["revision"]
    sl.stop()

    sl.start()
    after = _revisions(sl)
    assert after["total"] == 3 and after["list"][0]["revision"] == newest  # nothing changed: no new revision
    st, _, obj = sl.admin("GET", "/apisix/admin/upstreams/v")
    assert obj["modifiedIndex"] == newest
    assert sl.admin("DELETE", "/apisix/admin/upstreams/v")[0] == 200
    assert _revisions(sl)["list"][0]["revision"] == newest + 1
    sl.stop()

    # edited while stopped: the start records it
    sl.write_gateway({"stream_routes": [route("1", [b.addr])]})
    sl.start()
    top = _revisions(sl)["list"][0]
    assert top["revision"] == newest + 2 and top["source"] == "start"
    assert {"resource": "stream_routes", "id": "1", "action": "update"} in top["changes"]
    assert {"resource": "upstreams", "id": "u", "action": "delete"} in top["changes"]
    assert ask_new(sl.port) == "B:ping"


def test_rollback_of_a_revision_that_no_longer_validates_is_refused(sluice):
    sl = sluice()
    svc = {"type": "stream", "scheme": "tcp", "upstream": {"nodes": {"127.0.0.1:1": 1}}}
    assert sl.admin("PUT", "/apisix/admin/services/s", svc)[0] == 201
    tcp_rev = _revisions(sl)["list"][0]["revision"]
    assert sl.admin("DELETE", "/apisix/admin/services/s")[0] == 200
    assert sl.admin("PUT", "/apisix/admin/services/s", dict(svc, scheme="udp"))[0] == 201
    before = sl.data_path.read_text()
    st, _, body = sl.admin("POST", f"{REV}/{tcp_rev}/rollback")
    assert st == 400 and "cannot be changed after creation" in body["error_msg"], body
    assert sl.data_path.read_text() == before
    assert _revisions(sl)["total"] == 4
