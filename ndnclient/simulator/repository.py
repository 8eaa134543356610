"""The virtual CA repository: a real OpenLDAP server (Debian slapd), unprivileged, from a
temporary folder, on a loopback port, serving the virtual CA's entry (its CRL, ARL and
certificate) as the issuer's LDAP repository serves the real one. `slapadd` loads the
entries, `slapd -d 0` serves them in the foreground.

`ndnclient simulator --repository-port PORT` runs one beside the virtual card, whose
certificate then names it in its CRL distribution points (so G04 and G08 have a repository
to reach on a newcomer's PC); the tests start their own.
"""

from __future__ import annotations

import base64
import http.server
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from ndnclient.simulator.testca import CA_COMMON_NAME

if TYPE_CHECKING:
    from ndnclient.simulator.testca import TestCA

SUFFIX = "c=JP"
BASE = "o=ndnclient test,c=JP"  # the test CA's own name is under it (testca.py)
# The README's virtual card serves its repository here (beside vpcd's 35963 and 35964).
REPOSITORY_PORT = 38389
CRL_PATH = "/ca.crl"  # where the CRL web server (the next port) serves the CRL


def slapd_binary(name: str) -> str:
    found = shutil.which(name) or f"/usr/sbin/{name}"
    if not Path(found).exists():
        raise RuntimeError(f"{name} is missing: install Debian's slapd (scripts/setup.sh)")
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class RepositoryEntry:
    """A CA entry (cRLDistributionPoint + pkiCA) under o=ndnclient test,c=JP."""

    cn: str
    crl: bytes | None = None
    arl: bytes | None = None
    ca_certificate: bytes | None = None

    @property
    def dn(self) -> str:
        return f"cn={self.cn},{BASE}"

    def ldif(self) -> str:
        lines = [
            f"dn: {self.dn}",
            "objectClass: cRLDistributionPoint",
            "objectClass: pkiCA",
            f"cn: {self.cn}",
        ]
        for attribute, value in (
            ("certificateRevocationList;binary", self.crl),
            ("authorityRevocationList;binary", self.arl),
            ("cACertificate;binary", self.ca_certificate),
        ):
            if value is not None:
                lines.append(f"{attribute}:: {base64.b64encode(value).decode()}")
        return "\n".join(lines) + "\n"


@dataclass
class Slapd:
    folder: Path
    entries: list[RepositoryEntry]
    allow_anonymous: bool = True
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    host: str = "127.0.0.1"  # or "::1": a loopback address, never more

    @property
    def _netloc(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"

    def url(self, entry: RepositoryEntry) -> str:
        return f"ldap://{self._netloc}/{quote(entry.dn, safe='=,')}"

    def start(self) -> Slapd:
        # Another server on the port would answer the readiness probe below for this one.
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        with socket.socket(family) as probe:
            # As slapd binds: a port left in TIME_WAIT by a server just stopped is free.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((self.host, self.port))
            except OSError:
                raise RuntimeError(f"port {self.port} is in use") from None
        database = self.folder / "db"
        database.mkdir(parents=True)
        config = self.folder / "slapd.conf"
        config.write_text(
            "\n".join(
                [
                    "include /etc/ldap/schema/core.schema",
                    "modulepath /usr/lib/ldap",
                    "moduleload back_mdb",
                    f"pidfile {self.folder / 'slapd.pid'}",
                    *([] if self.allow_anonymous else ["disallow bind_anon"]),
                    "database mdb",
                    "maxsize 10485760",
                    f'suffix "{SUFFIX}"',
                    f'rootdn "cn=admin,{SUFFIX}"',
                    f"directory {database}",
                    "access to * by * read",
                ]
            )
            + "\n",
            encoding="utf-8",
        )
        data = self.folder / "data.ldif"
        data.write_text(
            f"dn: {SUFFIX}\nobjectClass: country\nc: JP\n\n"
            f"dn: {BASE}\nobjectClass: organization\no: ndnclient test\n\n"
            + "\n".join(entry.ldif() for entry in self.entries),
            encoding="utf-8",
        )
        # Debian's own binaries, with paths this module made: no input from anyone else.
        subprocess.run(  # noqa: S603
            [slapd_binary("slapadd"), "-f", str(config), "-l", str(data)],
            check=True,
            capture_output=True,
            timeout=30,
        )
        self.process = subprocess.Popen(  # noqa: S603
            [
                slapd_binary("slapd"),
                "-f",
                str(config),
                "-h",
                f"ldap://{self._netloc}/",
                "-d",
                "0",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection((self.host, self.port), timeout=0.2).close()
                return self
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("slapd did not start") from None
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
            if self.process.stderr is not None:
                self.process.stderr.close()
            self.process = None


class CrlWebServer:
    """The same CRL over HTTP, as a CA also publishes it (`http://127.0.0.1:PORT/ca.crl`),
    for G08 when LDAP is blocked. Loopback only."""

    def __init__(self, crl: bytes, port: int) -> None:
        body = crl

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path != CRL_PATH:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/pkix-crl")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass  # the simulator's output is the card's, not a web log

        try:
            self._server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        except OSError as error:
            raise RuntimeError(f"port {port} is in use ({error.strerror})") from None
        self.port = port
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="virtual-crl-web", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@dataclass
class VirtualRepository:
    """The test CA's repository as a certificate names it: slapd on `port` (LDAP) and the
    CRL over HTTP on `port` + 1."""

    ldap: Slapd
    web: CrlWebServer | None

    @classmethod
    def start(cls, ca: TestCA, port: int) -> VirtualRepository:
        """Both servers, or RuntimeError/OSError (nothing left running)."""
        entry = entry_for(ca)
        folder = Path(tempfile.mkdtemp(prefix="ndnclient-repository-"))
        try:
            ldap = Slapd(folder, [entry], port=port).start()
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        try:
            web = CrlWebServer(entry.crl or b"", port + 1) if port < 65535 else None
        except RuntimeError:
            web = None  # LDAP alone still serves G04 and G08
        return cls(ldap, web)

    def points(self) -> tuple[str, ...]:
        ldap = distribution_point(self.ldap.port)
        if self.web is None:
            return (ldap,)
        return (ldap, f"http://127.0.0.1:{self.web.port}{CRL_PATH}")

    def stop(self) -> None:
        if self.web is not None:
            self.web.stop()
        self.ldap.stop()
        shutil.rmtree(self.ldap.folder, ignore_errors=True)


def entry_for(ca: TestCA) -> RepositoryEntry:
    """The test CA's entry: a fresh CRL and ARL (nothing revoked) and its certificate."""
    from cryptography.hazmat.primitives.serialization import Encoding

    # Valid for 30 days: a virtual card left running for days still gets G08's "ok"
    # (restarting it issues fresh lists).
    now = datetime.now(UTC).replace(microsecond=0)
    later = now + timedelta(days=30)
    crl = ca.issue_crl(this_update=now, next_update=later).public_bytes(Encoding.DER)
    arl = ca.issue_crl(this_update=now, next_update=later).public_bytes(Encoding.DER)
    return RepositoryEntry(CA_COMMON_NAME, crl=crl, arl=arl, ca_certificate=ca.certificate_der())


def distribution_point(port: int) -> str:
    """The CRL distribution point URI a certificate of the test CA names for a repository on
    `port` (RFC 4516 form: the DN percent-encoded, the attribute asked for)."""
    dn = quote(f"cn={CA_COMMON_NAME},{BASE}", safe="=,")
    return f"ldap://127.0.0.1:{port}/{dn}?certificateRevocationList;binary"
