"""SIGHUP reloads gateway.yaml for new connections; open ones keep their node."""

import re

import pytest

from harness import ask, ask_new, connect, named_server, route, wait_until


def _reaches(port, name):
    def cond():
        return ask_new(port, timeout=3).startswith(name + ":")
    return cond


@pytest.mark.time_limit(60)
def test_sighup_switches_new_connections_old_keep_their_node(sluice):
    a, b = named_server("A"), named_server("B")
    sl = sluice(gateway={"stream_routes": [route("1", [a.addr])]})
    old = connect(sl.port, timeout=5)
    assert ask(old, "before") == "A:before"

    sl.write_gateway({"stream_routes": [route("1", [b.addr])]})
    sl.reload()
    wait_until(_reaches(sl.port, "B"), 10, "a new connection to reach node B after SIGHUP")
    assert sl.alive()

    # the connection opened before the reload still talks to A, both ways
    assert ask(old, "after") == "A:after"
    assert ask(old, "still") == "A:still"
    old.close()
    # and new ones keep going to B
    for _ in range(3):
        assert ask_new(sl.port) == "B:ping"


@pytest.mark.time_limit(60)
def test_invalid_gateway_on_sighup_keeps_running_config(sluice):
    a, b = named_server("A"), named_server("B")
    sl = sluice(gateway={"stream_routes": [route("1", [a.addr])]})
    assert ask_new(sl.port) == "A:ping"

    before = len(sl.stderr())
    sl.write_gateway(
        "stream_routes:\n"
        "  - id: \"1\"\n"
        "    upstream:\n"
        "      type: roundrobin\n"
        "      nodes:\n"
        "        - host: 127.0.0.1\n"
        f"          port: 70000\n"
        "          weight: 1\n")
    sl.reload()
    # the error is reported (file:line) ...
    wait_until(lambda: re.search(r"gateway\.yaml:\d+", sl.stderr()[before:]), 5,
               "sluice to report the invalid gateway.yaml on stderr")
    # ... and the old configuration keeps serving
    assert sl.alive(), "sluice exited after an invalid reload"
    for _ in range(3):
        assert ask_new(sl.port) == "A:ping"

    # a later valid file is applied again
    sl.write_gateway({"stream_routes": [route("1", [b.addr])]})
    sl.reload()
    wait_until(_reaches(sl.port, "B"), 10, "a new connection to reach node B after a valid reload")


@pytest.mark.time_limit(60)
def test_sighup_adds_and_removes_routes(sluice):
    a, b = named_server("A"), named_server("B")
    sl = sluice(listeners=2, start=False)
    p1, p2 = sl.ports
    sl.write_gateway({"stream_routes": [route("1", [a.addr], server_port=p1)]})
    sl.start()
    assert ask_new(p1) == "A:ping"

    sl.write_gateway({"stream_routes": [route("2", [b.addr], server_port=p2)]})
    sl.reload()
    wait_until(_reaches(p2, "B"), 10, "the new route on the second listener")

    def p1_unrouted():
        s = connect(p1, timeout=3)
        try:
            s.sendall(b"ping\n")
            return s.recv(100) == b""
        except ConnectionResetError:
            return True
        finally:
            s.close()
    wait_until(p1_unrouted, 10, "the removed route to stop matching")
