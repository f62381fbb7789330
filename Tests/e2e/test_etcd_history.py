"""The configuration history when etcd is the store: derived from etcd's own
revisions, so every gateway lists the same ones (etcdctl's writes included,
`source: etcd`), shows a revision's document and a diff, and rolls back with
one etcd transaction that every gateway applies; If-Match (the newest
revision listed) refuses a rollback when the configuration changed since."""


import pytest

from harness import named_server, wait_until
from test_etcd import P, gateway, one_wins, reaches, three_gateways, upstream


def listed(gw):
    st, _, body = gw.admin("GET", "/sluice/v1/revisions?page_size=500")
    assert st == 200, body
    return body["list"]


def newest(gw):
    """The newest revision `gw` lists, None while it lists none (the history comes from etcd's watch, replayed
    from the oldest revision etcd keeps: empty until that watch's first message, e.g. after a lost watch)."""
    entries = listed(gw)
    return entries[0]["revision"] if entries else None


def rollback(gw, n, if_match=None):
    headers = {"If-Match": f'"{if_match}"'} if if_match is not None else None
    return gw.admin("POST", f"/sluice/v1/revisions/{n}/rollback", headers=headers)


@pytest.mark.time_limit(120)
def test_shared_history_diff_and_rollback(sluice, etcd_server):
    etcd = etcd_server
    one, two = named_server("ONE"), named_server("TWO")
    t1, t2, dp = three_gateways(sluice, etcd, one)
    good = wait_until(lambda: newest(t1), 3, "t1 to list its history")

    etcd.put(f"{P}/upstreams/1", upstream("1", two.addr))  # a write straight to etcd
    for gw in (t1, t2, dp):
        wait_until(reaches(gw.port, "TWO"), 3, f"{gw.dir.name} to serve etcdctl's change")
    changed = etcd.mod_revision(f"{P}/upstreams/1")
    for gw in (t1, t2, dp):
        wait_until(lambda: newest(gw) == changed, 3, f"{gw.dir.name} to list etcd's revision")

    # every gateway lists the same history, numbered by etcd's revisions
    history = listed(t1)
    assert listed(t2) == history and listed(dp) == history
    assert [e["revision"] for e in history] == sorted((e["revision"] for e in history), reverse=True)
    assert history[0]["source"] == "etcd" and history[0]["changes"] == [
        {"resource": "upstreams", "id": "1", "action": "update"}], history[0]
    first = history[-1]
    assert first["source"] == "admin_api" and first["changes"] == [
        {"resource": "upstreams", "id": "1", "action": "create"}], first
    assert all(e["source"] == "admin_api" for e in history[1:]), history

    # a revision's document and a diff, on the data plane too
    st, _, got = dp.admin("GET", f"/sluice/v1/revisions/{good}")
    assert st == 200 and one.addr in got["document"] and two.addr not in got["document"], got
    st, _, diff = dp.admin("GET", f"/sluice/v1/revisions/{changed}/diff?against={good}", as_text=True)
    assert st == 200, diff
    assert any(line.startswith("-") and one.addr in line for line in diff.splitlines()), diff
    assert any(line.startswith("+") and two.addr in line for line in diff.splitlines()), diff

    # a data plane does not roll back
    st, _, body = rollback(dp, good)
    assert st == 405 and "data_plane" in body["error_msg"], body

    # If-Match naming a revision that is not the newest any more: 412, nothing written
    st, _, body = rollback(t2, good, if_match=good)
    assert st == 412 and str(changed) in body["error_msg"], body
    assert etcd.mod_revision(f"{P}/upstreams/1") == changed

    # a rollback through t2: one etcd write that every gateway applies
    st, _, entry = rollback(t2, good, if_match=changed)
    assert st == 200, entry
    assert entry["source"] == "rollback" and entry["rolled_back_to"] == good, entry
    assert entry["changes"] == [{"resource": "upstreams", "id": "1", "action": "update"}], entry
    assert entry["revision"] == etcd.mod_revision(f"{P}/upstreams/1")
    for gw in (t1, t2, dp):
        wait_until(reaches(gw.port, "ONE"), 3, f"{gw.dir.name} to serve the rollback")
        wait_until(lambda: listed(gw)[0] == entry, 3, f"{gw.dir.name} to list the rollback")

    # rolling back to what is in force writes nothing
    st, _, again = rollback(t1, good)
    assert st == 200 and again == entry, again

    # a gateway started now replays the same history from etcd
    late = gateway(sluice, etcd, "late", "traditional")
    wait_until(lambda: listed(late) == listed(t1), 5, "the late gateway to list the same history")


@pytest.mark.time_limit(90)
def test_concurrent_rollbacks_with_one_if_match(sluice, etcd_server):
    etcd = etcd_server
    one, two, three = named_server("ONE"), named_server("TWO"), named_server("THREE")
    t1 = gateway(sluice, etcd, "t1", "traditional")
    t2 = gateway(sluice, etcd, "t2", "traditional")
    marks = {}
    for name, server in (("ONE", one), ("TWO", two), ("THREE", three)):
        st, _, body = t1.admin("PUT", "/apisix/admin/stream_routes/r", {
            "id": "r", "server_port": t1.port, "upstream": {"type": "roundrobin", "nodes": {server.addr: 1}}})
        assert st in (200, 201), body
        marks[name] = newest(t1)
    wait_until(lambda: newest(t2) == marks["THREE"], 3, "t2 to list the newest revision")
    wait_until(reaches(t1.port, "THREE"), 3, "t1 to serve the newest revision")

    winner, loser = one_wins({target: (lambda gw=gw, target=target: rollback(gw, marks[target],
                                                                             if_match=marks["THREE"]))
                              for gw, target in ((t1, "ONE"), (t2, "TWO"))})
    assert "If-Match" in loser["error_msg"], loser
    wait_until(reaches(t1.port, winner), 3, "the winning rollback to be served")
    for gw in (t1, t2):
        wait_until(lambda: listed(gw)[0].get("rolled_back_to") == marks[winner], 3, "one rollback in the history")
    assert [e["source"] for e in listed(t2)].count("rollback") == 1
