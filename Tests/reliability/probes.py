"""Small probes of a running process and of raw protocol bytes, for the reliability suite."""

from __future__ import annotations

import os
import socket
import struct


def rss_kib(pid: int) -> int:
    """Resident set size of `pid` in KiB (from /proc)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError(f"no VmRSS for {pid}")


def udp_echo() -> str:
    """A UDP server on 127.0.0.1 that answers each datagram with itself (from a thread of its own, closed at the
    test's end); returns its `ip:port`."""
    import threading
    from harness import LOOPBACK, register_closer
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * 1024 * 1024)
    s.bind((LOOPBACK, 0))
    register_closer(s.close)

    def serve():
        while True:
            try:
                data, peer = s.recvfrom(65536)
                s.sendto(data, peer)
            except OSError:
                return
    threading.Thread(target=serve, daemon=True).start()
    return f"{LOOPBACK}:{s.getsockname()[1]}"


def open_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def client_hello(server_name: bytes) -> bytes:
    """A TLS 1.3 ClientHello record whose server_name extension carries `server_name` as given (any bytes),
    built by hand because TLS libraries refuse to send malformed names."""
    def u16(n: int) -> bytes:
        return struct.pack("!H", n)

    def ext(kind: int, data: bytes) -> bytes:
        return u16(kind) + u16(len(data)) + data

    sni_entry = b"\x00" + u16(len(server_name)) + server_name
    extensions = b"".join([
        ext(0, u16(len(sni_entry)) + sni_entry),
        ext(10, u16(4) + b"\x00\x1d\x00\x17"),                      # supported_groups
        ext(13, u16(4) + b"\x04\x03\x08\x04"),                      # signature_algorithms
        ext(43, b"\x02\x03\x04"),                                   # supported_versions: TLS 1.3
        ext(45, b"\x01\x01"),                                       # psk_key_exchange_modes
        ext(51, u16(36) + b"\x00\x1d" + u16(32) + os.urandom(32)),  # key_share x25519
    ])
    body = (b"\x03\x03" + os.urandom(32) + b"\x20" + os.urandom(32)
            + u16(6) + b"\x13\x01\x13\x02\x13\x03" + b"\x01\x00" + u16(len(extensions)) + extensions)
    handshake = b"\x01" + struct.pack("!I", len(body))[1:] + body
    return b"\x16\x03\x01" + u16(len(handshake)) + handshake


def http_request(port: int, head: bytes, *, body: bytes = b"", bind: str | None = None,
                 timeout: float = 10.0) -> bytes:
    """Sends one raw HTTP request and returns everything read until the server closes (or `timeout`).
    A reset after the server has answered counts as the end."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    if bind:
        s.bind((bind, 0))
    s.connect(("127.0.0.1", port))
    out = b""
    try:
        s.sendall(head + body)
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
    except (ConnectionResetError, BrokenPipeError):
        pass
    finally:
        s.close()
    return out


def proxy_v2(family: int, addresses: bytes, tlvs: list[tuple[int, bytes]] = (), *, length: int | None = None) -> bytes:
    """A PROXY protocol v2 header with the PROXY command: `family` (0x11 TCP over IPv4, 0x31 AF_UNIX …), the
    address block as given and TLVs (type, any bytes); `length` overrides the declared length (a broken header)."""
    body = addresses + b"".join(bytes([kind]) + struct.pack("!H", len(value)) + value for kind, value in tlvs)
    declared = len(body) if length is None else length
    return b"\r\n\r\n\x00\r\nQUIT\n" + bytes([0x21, family]) + struct.pack("!H", declared) + body


def ipv4_block(source: str, source_port: int, destination: str, destination_port: int) -> bytes:
    """A v2 TCP/UDP-over-IPv4 address block."""
    return (socket.inet_aton(source) + socket.inet_aton(destination)
            + struct.pack("!HH", source_port, destination_port))
