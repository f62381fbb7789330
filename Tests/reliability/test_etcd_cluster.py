"""A three-member etcd under two gateways (slow: `make reliability`): losing the
member the gateways talk to goes unnoticed, losing all of them keeps traffic
flowing — also across a gateway restart, from the last-known-good file — with
writes refused (503), and the next change arrives once etcd is back."""

import pytest

from harness import ask, ask_new, connect, named_server, start_etcd, wait_until
from test_etcd import etcd_status, reaches, upstream

P = "/apisix"


@pytest.fixture
def cluster(tmp_path):
    e = start_etcd(tmp_path / "etcd", members=3)
    yield e
    e.stop()


@pytest.mark.slow
@pytest.mark.time_limit(180)
def test_three_members_one_lost_then_all(sluice, cluster):
    etcd = cluster
    one, two = named_server("ONE"), named_server("TWO")
    dp = sluice(name="dp", deployment=etcd.deployment("data_plane", etcd.urls))
    tr = sluice(name="tr", deployment=etcd.deployment("traditional", etcd.urls))
    etcd.put(f"{P}/upstreams/1", upstream("1", one.addr))
    for gw in (dp, tr):
        etcd.put(f"{P}/stream_routes/{gw.dir.name}", {"id": gw.dir.name, "server_port": gw.port, "upstream_id": "1"})
    for gw in (dp, tr):
        wait_until(reaches(gw.port, "ONE"), 3, f"{gw.dir.name} to serve the route")
    held = connect(dp.port)
    assert ask(held) == "ONE:ping"

    # the member both gateways talk to first goes away: nothing notices
    etcd.stop(0)
    etcd.put(f"{P}/upstreams/1", upstream("1", two.addr))
    for gw in (dp, tr):
        wait_until(reaches(gw.port, "TWO"), 10, f"{gw.dir.name} to follow through another member")
    st, _, body = tr.admin("PUT", "/apisix/admin/upstreams/2", upstream("2", two.addr))
    assert st == 201, body
    assert ask(held, "held") == "ONE:held"

    # every member goes away: traffic goes on, writes are refused
    etcd.stop()
    wait_until(lambda: etcd_status(dp)["reachable"] is False, 10, "the data plane to see etcd gone")
    assert ask_new(dp.port) == "TWO:ping" and ask(held, "still") == "ONE:still"
    st, _, body = tr.admin("PUT", "/apisix/admin/upstreams/3", upstream("3", two.addr))
    assert st == 503, body
    held.close()
    dp.stop()
    dp.start()
    assert etcd_status(dp)["last_known_good"] is True
    assert ask_new(dp.port) == "TWO:ping"

    # etcd back: the next change arrives
    etcd.start()
    etcd.put(f"{P}/upstreams/1", upstream("1", one.addr))
    for gw in (dp, tr):
        wait_until(reaches(gw.port, "ONE"), 15, f"{gw.dir.name} to follow once etcd is back")
