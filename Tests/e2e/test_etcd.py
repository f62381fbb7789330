"""Several gateways sharing one configuration through etcd (APISIX's layout,
`deployment:` in config.yaml): data planes follow what `etcdctl put` writes,
traditional gateways write through their Admin API into etcd with mod_revision
compare-and-sets, everyone keeps serving while etcd is down (also across a
restart, from the last-known-good file), a lost watch or a compaction means a
full re-read, and an invalid value is reported and skipped.  One single-member
etcd on loopback ports per test."""

import json
import socket
import threading

import pytest

from harness import LOOPBACK, TcpServer, ask, ask_new, connect, free_port, named_server, wait_until

P = "/apisix"


def upstream(uid, addr):
    return {"id": uid, "type": "roundrobin", "nodes": {addr: 1}}


def stream_route(rid, port, uid):
    return {"id": rid, "server_port": port, "upstream_id": uid}


def reaches(port, name):
    def cond():
        try:
            return ask_new(port, timeout=2).startswith(name + ":")
        except (EOFError, OSError):
            return False
    return cond


def refused(port):
    def cond():
        try:
            ask_new(port, timeout=2)
            return False
        except (EOFError, OSError):
            return True
    return cond


def etcd_status(sl):
    st, _, body = sl.admin("GET", "/apisix/admin/status")
    assert st == 200, body
    return body["etcd"]


def gateway(sluice, etcd, name, role="data_plane", hosts=None, prometheus=False):
    """A started gateway of `etcd`; routes match its listener by server_port."""
    return sluice(name=name, deployment=etcd.deployment(role, hosts), prometheus=prometheus)


def one_wins(writes):
    """Runs the named Admin calls at once (released together by a barrier): exactly one must answer 200 and the
    other 412. Returns the winner's name and the loser's reply body."""
    results = []
    barrier = threading.Barrier(len(writes))

    def run(name, call):
        barrier.wait()
        st, _, body = call()
        results.append((st, name, body))
    threads = [threading.Thread(target=run, args=item) for item in writes.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert sorted(r[0] for r in results) == [200, 412], results
    return (next(r[1] for r in results if r[0] == 200), next(r[2] for r in results if r[0] == 412))


def three_gateways(sluice, etcd, server):
    """Two traditional gateways and a data plane on one etcd; t1's Admin API writes upstream 1 (`server`) and a
    route to it on each gateway's port, and all three serve it."""
    t1 = gateway(sluice, etcd, "t1", "traditional")
    t2 = gateway(sluice, etcd, "t2", "traditional")
    dp = gateway(sluice, etcd, "dp")
    st, _, body = t1.admin("PUT", "/apisix/admin/upstreams/1", upstream("1", server.addr))
    assert st == 201, body
    for gw in (t1, t2, dp):
        st, _, body = t1.admin("PUT", f"/apisix/admin/stream_routes/{gw.dir.name}",
                               stream_route(gw.dir.name, gw.port, "1"))
        assert st == 201, body
    for gw in (t1, t2, dp):
        wait_until(reaches(gw.port, server.name), 3, f"{gw.dir.name} to serve what t1 wrote")
    return t1, t2, dp


def other_port(port):
    """A free port other than `port` (for a route this gateway does not listen on)."""
    p = free_port()
    while p == port:
        p = free_port()
    return p


@pytest.mark.time_limit(90)
def test_data_planes_follow_etcdctl(sluice, etcd_server):
    etcd = etcd_server
    one, two = named_server("ONE"), named_server("TWO")
    a = gateway(sluice, etcd, "a")
    b = gateway(sluice, etcd, "b")
    etcd.put(f"{P}/upstreams/1", upstream("1", one.addr))
    etcd.put(f"{P}/stream_routes/a", stream_route("a", a.port, "1"))
    etcd.put(f"{P}/stream_routes/b", stream_route("b", b.port, "1"))
    wait_until(reaches(a.port, "ONE"), 3, "gateway a to serve the etcdctl route")
    wait_until(reaches(b.port, "ONE"), 3, "gateway b to serve the etcdctl route")
    # Serving route a says nothing of route b's later put: wait until a has applied etcd's newest revision.
    newest = etcd.revision()
    st = wait_until(lambda: (lambda s: s if s["revision"] == newest else None)(etcd_status(a)), 3,
                    "gateway a to apply etcd's newest revision")
    assert st["reachable"] is True and st["last_known_good"] is False and st["skipped"] == []

    # createdIndex / modifiedIndex are etcd's revisions
    _, _, got = b.admin("GET", "/apisix/admin/upstreams/1")
    assert got["modifiedIndex"] == etcd.mod_revision(f"{P}/upstreams/1")

    # an open connection through each gateway
    held = [connect(a.port), connect(b.port)]
    assert [ask(s) for s in held] == ["ONE:ping", "ONE:ping"]

    # a change reaches both
    etcd.put(f"{P}/upstreams/1", upstream("1", two.addr))
    wait_until(reaches(a.port, "TWO"), 3, "the change to reach gateway a")
    wait_until(reaches(b.port, "TWO"), 3, "the change to reach gateway b")

    # a delete closes no open connection; new ones find no route
    etcd.ctl("del", f"{P}/stream_routes/a")
    etcd.ctl("del", f"{P}/stream_routes/b")
    wait_until(refused(a.port), 3, "the delete to reach gateway a")
    wait_until(refused(b.port), 3, "the delete to reach gateway b")
    assert [ask(s, "still") for s in held] == ["ONE:still", "ONE:still"]

    # a data plane takes no writes, and says why
    st, _, body = a.admin("PUT", "/apisix/admin/upstreams/9", {"nodes": {one.addr: 1}})
    assert st == 405 and "data_plane" in body["error_msg"], body
    st, _, body = a.admin("DELETE", "/apisix/admin/upstreams/1")
    assert st == 405 and "data_plane" in body["error_msg"], body
    for s in held:
        s.close()


@pytest.mark.time_limit(90)
def test_admin_api_writes_go_through_etcd(sluice, etcd_server):
    etcd = etcd_server
    one, two = named_server("ONE"), named_server("TWO")
    t1, t2, dp = three_gateways(sluice, etcd, one)

    # what t1 wrote is in etcd as APISIX's JSON, indexes are etcd's revisions
    raw = json.loads(etcd.ctl("get", f"{P}/upstreams/1", "--print-value-only"))
    assert raw["nodes"] == {one.addr: 1} and raw["id"] == "1" and "update_time" in raw
    _, _, got = t2.admin("GET", "/apisix/admin/upstreams/1")
    assert got["modifiedIndex"] == etcd.mod_revision(f"{P}/upstreams/1")
    assert got["createdIndex"] <= got["modifiedIndex"]

    # two Admin APIs on different gateways, both with the same If-Match: one wins
    etag = '"%d"' % got["modifiedIndex"]
    winner, _ = one_wins({name: (lambda gw=gw, addr=server.addr: gw.admin(
        "PATCH", "/apisix/admin/upstreams/1", {"nodes": {addr: 1}}, headers={"If-Match": etag}))
        for name, gw, server in (("ONE", t1, one), ("TWO", t2, two))})
    for gw in (t1, t2, dp):
        wait_until(reaches(gw.port, winner), 3, f"{gw.dir.name} to serve the winning write")

    # a delete through t2 reaches everyone
    st, _, body = t2.admin("DELETE", f"/apisix/admin/stream_routes/{dp.dir.name}")
    assert st == 200, body
    wait_until(refused(dp.port), 3, "the delete to reach the data plane")


class Relay:
    """A TCP relay to etcd that the test can cut (every connection closed, new
    ones refused) and restore on the same port: a gateway behind it loses its
    watch while etcd goes on.  `freeze()` holds what etcd sends on the
    connections open now (the watch stalls, new requests pass) until `thaw()`;
    `stall()` also holds every new connection, accepted but not forwarded, until
    `thaw()` (etcd as behind a black hole: requests wait, nothing is refused)."""

    def __init__(self, target_port):
        self.target = target_port
        self.server = TcpServer(self._handler, name="relay")
        self.port = self.server.port
        self.url = f"http://{LOOPBACK}:{self.port}"
        self.open: list[threading.Event] = []  # per connection: set while etcd's bytes flow
        self.admitting = threading.Event()  # clear while new connections are held
        self.admitting.set()

    def freeze(self):
        for flowing in self.open:
            flowing.clear()

    def stall(self):
        self.admitting.clear()
        self.freeze()

    def thaw(self):
        self.admitting.set()
        for flowing in self.open:
            flowing.set()

    def _handler(self, conn, server):
        conn.settimeout(None)
        self.admitting.wait()
        up = socket.create_connection((LOOPBACK, self.target))
        flowing = threading.Event()
        flowing.set()
        self.open.append(flowing)

        def pump(src, dst, gate=None):
            try:
                while True:
                    d = src.recv(65536)
                    if not d:
                        break
                    if gate is not None:
                        gate.wait()
                    dst.sendall(d)
            except OSError:
                pass
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        t = threading.Thread(target=pump, args=(up, conn, flowing), daemon=True)
        t.start()
        pump(conn, up)
        t.join(5)
        up.close()

    def cut(self):
        self.server.close()

    def restore(self):
        self.server = TcpServer(self._handler, port=self.port, name="relay")


@pytest.mark.time_limit(120)
def test_compaction_while_disconnected_means_a_full_reread(sluice, etcd_server):
    etcd = etcd_server
    one, two = named_server("ONE"), named_server("TWO")
    relay = Relay(etcd.port)
    dp = gateway(sluice, etcd, "dp", hosts=[relay.url])
    other = other_port(dp.port)
    etcd.put(f"{P}/upstreams/1", upstream("1", one.addr))
    etcd.put(f"{P}/stream_routes/1", stream_route("1", dp.port, "1"))
    etcd.put(f"{P}/stream_routes/stale", stream_route("stale", other, "1"))
    wait_until(reaches(dp.port, "ONE"), 3, "the data plane to serve the route")
    wait_until(lambda: dp.admin("GET", "/apisix/admin/stream_routes")[2]["total"] == 2, 3, "both routes")

    relay.cut()
    wait_until(lambda: etcd_status(dp)["reachable"] is False, 10, "the gateway to notice the lost watch")
    assert ask_new(dp.port) == "ONE:ping"  # still serving
    etcd.ctl("del", f"{P}/stream_routes/stale")
    etcd.put(f"{P}/upstreams/1", upstream("1", two.addr))
    etcd.ctl("compact", str(etcd.revision()))
    relay.restore()

    wait_until(reaches(dp.port, "TWO"), 10, "the re-read after the compaction")
    wait_until(lambda: etcd_status(dp)["reachable"] is True, 5, "etcd reachable again")
    _, _, listed = dp.admin("GET", "/apisix/admin/stream_routes")
    assert [o["value"]["id"] for o in listed["list"]] == ["1"], listed
    assert etcd_status(dp)["revision"] == etcd.revision()


@pytest.mark.time_limit(90)
def test_lag_behind_etcd_in_status_and_metrics(sluice, etcd_server):
    etcd = etcd_server
    one, two = named_server("ONE"), named_server("TWO")
    relay = Relay(etcd.port)
    dp = gateway(sluice, etcd, "dp", hosts=[relay.url], prometheus=True)
    etcd.put(f"{P}/upstreams/1", upstream("1", one.addr))
    etcd.put(f"{P}/stream_routes/1", stream_route("1", dp.port, "1"))
    wait_until(reaches(dp.port, "ONE"), 3, "the data plane to serve the route")
    wait_until(lambda: etcd_status(dp)["etcd_revision"] == etcd.revision(), 5, "etcd's revision in the status")
    st = etcd_status(dp)
    assert st["lag_revisions"] == 0 and st["lag_seconds"] == 0 and st["last_applied"], st
    served = st["revision"]

    relay.freeze()  # the watch stalls; the gateway's checks of etcd's revision still pass
    etcd.put(f"{P}/upstreams/1", upstream("1", two.addr))
    wait_until(lambda: etcd_status(dp)["lag_revisions"] == 1, 10, "the lag to show")
    st = etcd_status(dp)
    assert st["revision"] == served and st["etcd_revision"] == etcd.revision() and st["lag_seconds"] > 0, st
    assert st["reachable"] is True, st
    m = dp.scrape()
    assert m.value("sluice_etcd_lag_revisions") == 1
    assert m.value("sluice_etcd_lag_seconds") > 0
    assert m.value("apisix_etcd_modify_indexes", key="x_etcd_index") == etcd.revision()
    assert m.value("apisix_etcd_modify_indexes", key="max_modify_index") == served
    assert ask_new(dp.port) == "ONE:ping"  # what was applied is served meanwhile

    relay.thaw()
    wait_until(reaches(dp.port, "TWO"), 5, "the held change to arrive")
    wait_until(lambda: etcd_status(dp)["lag_revisions"] == 0, 5, "the lag to end")
    assert etcd_status(dp)["lag_seconds"] == 0
    assert dp.scrape().value("sluice_etcd_lag_revisions") == 0


@pytest.mark.time_limit(120)
def test_etcd_down_last_known_good_and_503(sluice, etcd_server):
    etcd = etcd_server
    one, two = named_server("ONE"), named_server("TWO")
    dp = gateway(sluice, etcd, "dp", prometheus=True)
    tr = gateway(sluice, etcd, "tr", "traditional")
    etcd.put(f"{P}/upstreams/1", upstream("1", one.addr))
    etcd.put(f"{P}/stream_routes/1", stream_route("1", dp.port, "1"))
    wait_until(reaches(dp.port, "ONE"), 3, "the data plane to serve the route")
    wait_until(lambda: etcd_status(dp)["revision"] == etcd.revision(), 3, "the status to say so")
    served = etcd_status(dp)["revision"]
    lkg = dp.dir / "etcd-last-known-good.json"
    assert json.loads(lkg.read_text())["revision"] == served
    assert (lkg.stat().st_mode & 0o777) == 0o600

    held = connect(dp.port)
    assert ask(held) == "ONE:ping"
    etcd.stop()
    wait_until(lambda: etcd_status(dp)["reachable"] is False, 10, "the data plane to see etcd gone")
    st = etcd_status(dp)
    assert st["error"] and st["revision"] == served
    m = dp.scrape()  # APISIX's etcd gauges
    assert m.value("apisix_etcd_reachable") == 0
    assert m.value("apisix_etcd_modify_indexes", key="x_etcd_index") == served
    assert ask_new(dp.port) == "ONE:ping" and ask(held, "held") == "ONE:held"

    # a write while etcd is down: 503, nothing written anywhere
    st, _, body = tr.admin("PUT", "/apisix/admin/upstreams/2", upstream("2", two.addr))
    assert st == 503 and "etcd" in body["error_msg"], body
    st, _, _ = tr.admin("GET", "/apisix/admin/upstreams/2")
    assert st == 404

    # a restart while etcd is down serves the last-known-good configuration
    held.close()
    dp.stop()
    dp.start()
    st = etcd_status(dp)
    assert st["last_known_good"] is True and st["reachable"] is False and st["revision"] == served
    assert ask_new(dp.port) == "ONE:ping"
    assert "serving the last-known-good configuration" in dp.output()
    assert dp.scrape().value("sluice_etcd_last_known_good") == 1

    # etcd back: the next change arrives
    etcd.start()
    etcd.put(f"{P}/upstreams/1", upstream("1", two.addr))
    wait_until(reaches(dp.port, "TWO"), 10, "the change after etcd came back")
    st = etcd_status(dp)
    assert st["reachable"] is True and st["last_known_good"] is False
    m = dp.scrape()
    assert m.value("apisix_etcd_reachable") == 1 and m.value("sluice_etcd_last_known_good") == 0
    assert m.value("apisix_etcd_modify_indexes", key="max_modify_index") == st["revision"]
    st, _, body = tr.admin("PUT", "/apisix/admin/upstreams/2", upstream("2", two.addr))
    assert st == 201, body


@pytest.mark.time_limit(60)
def test_invalid_value_is_reported_and_skipped(sluice, etcd_server):
    etcd = etcd_server
    one = named_server("ONE")
    dp = gateway(sluice, etcd, "dp")
    etcd.put(f"{P}/upstreams/1", upstream("1", one.addr))
    etcd.put(f"{P}/stream_routes/1", stream_route("1", dp.port, "1"))
    etcd.put(f"{P}/stream_routes/bad", {"id": "bad", "server_port": 70000, "upstream_id": "1"})
    etcd.put(f"{P}/stream_routes/dangling", stream_route("dangling", dp.port + 1, "nope"))
    etcd.put(f"{P}/upstreams/junk", "{not json")
    etcd.put(f"{P}/routes/1", {"uri": "/http-route-is-not-ours"})
    wait_until(lambda: len(etcd_status(dp)["skipped"]) == 3, 3, "the invalid values to be reported")
    assert ask_new(dp.port) == "ONE:ping"
    skipped = etcd_status(dp)["skipped"]
    assert any(s.startswith(f"{P}/stream_routes/bad: server_port: must be 1…65535") for s in skipped), skipped
    assert any(s.startswith(f"{P}/stream_routes/dangling: upstream_id: upstream \"nope\" does not exist")
               for s in skipped), skipped
    assert any(s.startswith(f"{P}/upstreams/junk: not a JSON value") for s in skipped), skipped
    wait_until(lambda: "Invalid value in etcd skipped" in dp.output(), 3, "the log line")
    _, _, listed = dp.admin("GET", "/apisix/admin/stream_routes")
    assert [o["value"]["id"] for o in listed["list"]] == ["1"]

    # fixed by the next put: served
    etcd.put(f"{P}/stream_routes/bad", stream_route("bad", dp.port, "1"))
    wait_until(lambda: len(etcd_status(dp)["skipped"]) == 2, 3, "the fixed value to be taken")


@pytest.mark.time_limit(90)
def test_control_plane_with_auth_and_a_dead_member_first(sluice, etcd_server):
    etcd = etcd_server
    one = named_server("ONE")
    etcd.enable_auth("root", "s3cret")
    hosts = [f"http://{LOOPBACK}:{free_port()}", etcd.url]  # the first member is not there
    auth = ("root", "s3cret")
    cp = sluice(name="cp", ports=[], deployment=etcd.deployment("control_plane", hosts, auth))
    dp = sluice(name="dp", deployment=etcd.deployment("data_plane", hosts, auth))
    nocreds = sluice(name="nocreds", deployment=etcd.deployment("data_plane", [etcd.url]))

    st, _, body = cp.admin("PUT", "/apisix/admin/upstreams/1", upstream("1", one.addr))
    assert st == 201, body
    st, _, body = cp.admin("PUT", "/apisix/admin/stream_routes/1", stream_route("1", dp.port, "1"))
    assert st == 201, body
    wait_until(reaches(dp.port, "ONE"), 3, "the data plane to serve what the control plane wrote")
    assert etcd_status(cp)["reachable"] is True
    # without credentials etcd refuses: said, and nothing served
    st = etcd_status(nocreds)
    assert st["reachable"] is False and "user name is empty" in (st["error"] or ""), st
    _, _, listed = nocreds.admin("GET", "/apisix/admin/stream_routes")
    assert listed["total"] == 0


@pytest.mark.time_limit(60)
def test_a_burst_of_changes_ends_at_the_last(sluice, etcd_server):
    etcd = etcd_server
    one, two = named_server("ONE"), named_server("TWO")
    dp = gateway(sluice, etcd, "dp")
    etcd.put(f"{P}/upstreams/1", upstream("1", one.addr))
    etcd.put(f"{P}/stream_routes/1", stream_route("1", dp.port, "1"))
    wait_until(reaches(dp.port, "ONE"), 3, "the route")
    # a burst of puts and deletes, the watch batching some of them
    for i in range(20):
        etcd.put(f"{P}/upstreams/9", upstream("9", one.addr))
        etcd.ctl("del", f"{P}/upstreams/9")
    etcd.put(f"{P}/upstreams/1", upstream("1", two.addr))
    wait_until(reaches(dp.port, "TWO"), 5, "the last change")
    _, _, ups = dp.admin("GET", "/apisix/admin/upstreams")
    assert [o["value"]["id"] for o in ups["list"]] == ["1"], ups
    _, _, routes = dp.admin("GET", "/apisix/admin/stream_routes")
    assert [o["value"]["id"] for o in routes["list"]] == ["1"], routes
    assert etcd_status(dp)["revision"] == etcd.revision()
