"""Certificates for the TLS tests, made with the openssl command line in a temporary folder."""

from __future__ import annotations

import ssl
import subprocess
from pathlib import Path


def _run(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=30)


class CA:
    """A throwaway certificate authority that issues server and client certificates."""

    def __init__(self, folder: Path, name: str = "ca"):
        self.dir = folder
        self.dir.mkdir(parents=True, exist_ok=True)
        self.name = name
        _run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", f"{name}.key", "-out", f"{name}.crt", "-days", "2", "-subj", f"/CN=Sluice test {name}",
             cwd=self.dir)
        self.cert_path = self.dir / f"{name}.crt"

    @property
    def cert(self) -> str:
        return self.cert_path.read_text()

    def issue(self, cn: str, *, sans: list[str] | None = None, ips: list[str] | None = None,
              client: bool = False, server_and_client: bool = False) -> tuple[str, str]:
        """Returns (cert PEM, key PEM); `ips` are IP-address subject names besides the DNS ones."""
        stem = f"{self.name}-{cn.replace('*', 'star')}"
        ext = self.dir / f"{stem}.ext"
        names = ",".join([f"DNS:{n}" for n in (sans or [cn])] + [f"IP:{ip}" for ip in ips or []])
        usage = "serverAuth,clientAuth" if server_and_client else "clientAuth" if client else "serverAuth"
        ext.write_text(f"subjectAltName={names}\nextendedKeyUsage={usage}\n")
        _run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", f"{stem}.key",
             "-out", f"{stem}.csr", "-subj", f"/CN={cn}", cwd=self.dir)
        _run("x509", "-req", "-in", f"{stem}.csr", "-CA", f"{self.name}.crt", "-CAkey", f"{self.name}.key",
             "-CAcreateserial", "-out", f"{stem}.crt", "-days", "2", "-extfile", ext.name, cwd=self.dir)
        return (self.dir / f"{stem}.crt").read_text(), (self.dir / f"{stem}.key").read_text()

    def issue_files(self, cn: str, **kw) -> tuple[Path, Path]:
        """`issue`, returning the paths of the certificate and key files instead."""
        self.issue(cn, **kw)
        stem = f"{self.name}-{cn.replace('*', 'star')}"
        return self.dir / f"{stem}.crt", self.dir / f"{stem}.key"


def client_context(ca: CA | None = None, *, cert: tuple[str, str] | None = None, folder: Path | None = None,
                   verify: bool = True) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=str(ca.cert_path)) if (ca and verify) else ssl._create_unverified_context()
    if not verify:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    if cert and folder:
        c, k = folder / "client.crt", folder / "client.key"
        c.write_text(cert[0])
        k.write_text(cert[1])
        ctx.load_cert_chain(str(c), str(k))
    return ctx


def peer_cn(sock: ssl.SSLSocket) -> str:
    der = sock.getpeercert(binary_form=True)
    out = subprocess.run(["openssl", "x509", "-inform", "DER", "-noout", "-subject"], input=der,
                         capture_output=True, timeout=10).stdout.decode()
    return out.split("CN", 1)[1].lstrip(" =").strip()


def tls_line_server(name: str, cert: tuple[str, str], folder: Path):
    """A TLS server (harness.TcpServer + Python ssl) answering each line with `<name>:<line>`;
    `.server_names` lists the SNI each client sent."""
    from harness import TcpServer, recv_line
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "c.crt").write_text(cert[0])
    (folder / "c.key").write_text(cert[1])
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(str(folder / "c.crt"), str(folder / "c.key"))
    names: list = []
    ctx.sni_callback = lambda sock, server_name, c: names.append(server_name) and None

    def handler(conn, server):
        try:
            with ctx.wrap_socket(conn, server_side=True) as s:
                s.sendall(f"{name}:".encode() + recv_line(s))
        except (OSError, ssl.SSLError, EOFError):
            pass

    server = TcpServer(handler, name=f"tls-{name}")
    server.server_names = names
    return server
