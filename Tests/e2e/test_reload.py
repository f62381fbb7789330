"""SIGHUP reloads gateway.yaml for new connections; open ones keep their node."""

import re

import pytest

from harness import ask, ask_new, connect, named_server, route, wait_until


def _reaches(port, name):
    def cond():
        try:
            return ask_new(port, timeout=3).startswith(name + ":")
        except (EOFError, OSError):  # not routed there yet: the reload may still be on its way
            return False
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


@pytest.mark.time_limit(60)
def test_sighup_adds_and_removes_listeners_without_touching_others(sluice):
    """config.yaml listeners are applied on reload; other listeners' connections live on,
    and so do open connections of a removed listener."""
    from harness import free_port, wait_closed
    a = named_server("A")
    sl = sluice(listeners=2, gateway={"stream_routes": [route("1", [a.addr])]})
    p1, p2 = sl.ports
    keep = connect(p1, timeout=5)
    on_removed = connect(p2, timeout=5)
    assert ask(keep, "k") == "A:k" and ask(on_removed, "r") == "A:r"

    p3 = free_port()
    text = sl.config_path.read_text()
    sl.config_path.write_text(text.replace(f'"127.0.0.1:{p2}"', f'"127.0.0.1:{p3}"'))
    sl.reload()
    wait_until(lambda: sl.is_listening(p3), 10, "the added listener to accept")
    wait_until(lambda: not sl.is_listening(p2), 10, "the removed listener to stop accepting")
    assert ask_new(p3) == "A:ping"
    # connections on the kept listener and on the removed one are untouched
    assert ask(keep, "k2") == "A:k2"
    assert ask(on_removed, "r2") == "A:r2"
    keep.close()
    on_removed.close()
