"""The CA's LDAP repository: can it be reached, and does it give the CRL and ARL?

Behind error G04 (the issuer's FAQ: LDAP is probably blocked on the network). The probe tells
the helpdesk *which* step failed:

    dns          the host name does not resolve (name resolution has its own bound)
    refused      the TCP connection is refused or rejected (nothing listens, a firewall rejects)
    timeout      the TCP connection gets no answer in time (a firewall drops the packets)
    no_response  connected, but no complete LDAP answer in time (a proxy or filter in the
                 path, a server that hangs up, a TLS handshake that fails)
    bind         the server refuses the anonymous bind
    no_crl       the CA entry, or its CRL or ARL attribute, is missing
    bad_crl      a CRL or ARL does not parse

The whole probe has one deadline, the sum of its steps' bounds (name resolution, connect,
and the answers to bind and search); each step gets what is left of it, and a watchdog shuts
the socket when it passes, so neither a silent server, nor dropped packets, nor an answer
trickling in byte by byte can keep it longer. A blocked network gives G04 in seconds, never
the operating system's minutes-long TCP timeout.
"""

from __future__ import annotations

import contextlib
import math
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

import ldap3
from cryptography import x509

CRL_ATTRIBUTE = "certificateRevocationList;binary"
ARL_ATTRIBUTE = "authorityRevocationList;binary"
LDAP_NO_SUCH_OBJECT = 32
MAX_ADDRESSES = 2  # addresses tried per host (IPv4 first)

T = TypeVar("T")


class ProbeReason(StrEnum):
    DNS = "dns"
    REFUSED = "refused"
    TIMEOUT = "timeout"
    NO_RESPONSE = "no_response"
    BIND = "bind"
    NO_CRL = "no_crl"
    BAD_CRL = "bad_crl"


@dataclass(frozen=True)
class LdapTarget:
    scheme: str
    host: str  # without brackets, as name resolution wants it
    port: int
    base_dn: str

    @classmethod
    def from_url(cls, url: str) -> LdapTarget:
        """`ldap://host:port/dn` (the settings key `ldap.url`, already validated)."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        try:
            port = parts.port
        except ValueError:
            port = None
        return cls(
            scheme=scheme,
            host=parts.hostname or "",
            port=port or (636 if scheme == "ldaps" else 389),
            base_dn=unquote(parts.path.lstrip("/")),
        )


@dataclass
class ProbeResult:
    """What the probe found; `reason` is None when the CRL and ARL were fetched. `detail` is
    technical (for the facts and the log), not a sentence for the user."""

    target: LdapTarget
    reason: ProbeReason | None = None
    detail: str = ""
    address: str | None = None
    elapsed_ms: int = 0
    crl: x509.CertificateRevocationList | None = None
    arl: x509.CertificateRevocationList | None = None
    steps_ms: dict[str, int] = field(default_factory=dict)
    attempts: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.reason is None

    def facts(self) -> dict[str, Any]:
        facts: dict[str, Any] = {
            "reason": self.reason.value if self.reason else None,
            "detail": self.detail,
            "host": self.target.host,
            "port": self.target.port,
            "base_dn": self.target.base_dn,
            "address": self.address,
            "elapsed_ms": self.elapsed_ms,
            "steps_ms": dict(self.steps_ms),
            "attempts": list(self.attempts),
        }
        if self.crl is not None:
            facts["crl_this_update"] = self.crl.last_update_utc.isoformat()
            next_update = self.crl.next_update_utc
            facts["crl_next_update"] = next_update.isoformat() if next_update else None
            facts["crl_entries"] = len(self.crl)
        return facts


class _Failed(Exception):
    def __init__(self, reason: ProbeReason, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


class LdapProbe:
    """One probe of one repository entry, inside one deadline."""

    def __init__(
        self,
        url: str,
        *,
        connect_timeout: float,
        receive_timeout: float,
        dns_timeout: float | None = None,
        deadline: float | None = None,
    ) -> None:
        """`deadline` (time.monotonic) can only shorten the probe, e.g. to a whole run's."""
        self.target = LdapTarget.from_url(url)
        self.connect_timeout = connect_timeout
        self.receive_timeout = receive_timeout
        self.dns_timeout = dns_timeout if dns_timeout is not None else connect_timeout
        self.outer_deadline = deadline
        self._deadline = 0.0

    @property
    def time_bound(self) -> float:
        """The longest the probe takes: resolve, connect, then the answers to bind and search."""
        return self.dns_timeout + self.connect_timeout + 2 * self.receive_timeout

    def _remaining(self, step_bound: float) -> float:
        return max(0.0, min(step_bound, self._deadline - time.monotonic()))

    def run(self) -> ProbeResult:
        started = time.monotonic()
        self._deadline = started + self.time_bound
        if self.outer_deadline is not None:
            self._deadline = min(self._deadline, self.outer_deadline)
        result = ProbeResult(self.target)
        try:
            if not self.target.host:
                raise _Failed(ProbeReason.DNS, "no host in the repository URL")
            addresses = self._step(result, "dns", self._resolve)
            result.address = self._step(result, "connect", lambda: self._connect(addresses, result))
            self._step(result, "ldap", lambda: self._fetch(result))
        except _Failed as failure:
            result.reason, result.detail = failure.reason, str(failure)
        result.elapsed_ms = round((time.monotonic() - started) * 1000)
        return result

    @staticmethod
    def _step(result: ProbeResult, name: str, action: Callable[[], T]) -> T:
        started = time.monotonic()
        try:
            return action()
        finally:
            result.steps_ms[name] = round((time.monotonic() - started) * 1000)

    # --- the steps --------------------------------------------------------------------------

    def _resolve(self) -> list[str]:
        """The host's addresses, IPv4 first. getaddrinfo has no timeout of its own, so it
        runs on a helper thread that the probe stops waiting for at the bound."""
        outcome: dict[str, Any] = {}

        def lookup() -> None:
            try:
                outcome["infos"] = socket.getaddrinfo(
                    self.target.host, self.target.port, type=socket.SOCK_STREAM
                )
            except (OSError, UnicodeError) as error:
                outcome["error"] = error

        bound = self._remaining(self.dns_timeout)
        worker = threading.Thread(target=lookup, name="ldap-dns", daemon=True)
        worker.start()
        worker.join(bound)
        if worker.is_alive():
            raise _Failed(ProbeReason.DNS, f"no answer from name resolution in {bound:.1f} s")
        if "error" in outcome:
            raise _Failed(ProbeReason.DNS, f"name not resolved: {outcome['error']}")
        infos = sorted(outcome["infos"], key=lambda info: info[0] != socket.AF_INET)
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        if not addresses:
            raise _Failed(ProbeReason.DNS, "the name resolved to no address")
        return addresses

    def _connect(self, addresses: list[str], result: ProbeResult) -> str:
        """The first address that accepts a TCP connection. If any address timed out, the
        verdict is `timeout`: somewhere packets are dropped, which is the firewall's mark."""
        timed_out = False
        for address in addresses[:MAX_ADDRESSES]:
            bound = self._remaining(self.connect_timeout)
            if bound <= 0:
                break
            started = time.monotonic()
            try:
                with socket.create_connection((address, self.target.port), timeout=bound):
                    result.attempts.append({"address": address, "outcome": "connected"})
                    return address
            except TimeoutError:
                timed_out = True
                outcome = "timeout"
            except OSError as error:
                # Refused, or rejected on the way (host or network unreachable): either way
                # an answer came back, unlike a timeout.
                outcome = f"refused: {error}"
            result.attempts.append(
                {
                    "address": address,
                    "outcome": outcome,
                    "ms": round((time.monotonic() - started) * 1000),
                }
            )
        if timed_out:
            raise _Failed(
                ProbeReason.TIMEOUT,
                f"no answer to the TCP connection in {self.connect_timeout:g} s",
            )
        raise _Failed(ProbeReason.REFUSED, "connection refused or rejected")

    def _fetch(self, result: ProbeResult) -> None:
        server = ldap3.Server(
            result.address or self.target.host,
            port=self.target.port,
            use_ssl=self.target.scheme == "ldaps",
            get_info=ldap3.NONE,
            connect_timeout=max(0.1, self._remaining(self.connect_timeout)),
        )
        receive = self._remaining(self.receive_timeout)
        connection = ldap3.Connection(
            server,
            authentication=ldap3.ANONYMOUS,
            auto_bind=ldap3.AUTO_BIND_NONE,
            # ldap3 packs this into SO_RCVTIMEO as whole seconds ('LL'): a fraction raises
            # inside ldap3. The watchdog below keeps the real bound.
            receive_timeout=max(1, math.ceil(receive)),
            read_only=True,
            raise_exceptions=False,
            check_names=False,
        )
        fired = threading.Event()

        def shut_the_socket() -> None:
            # ldap3's receive timeout is per recv(): an answer trickling in, or a TLS
            # handshake that never ends, would outlast it. Shutting the socket ends them.
            fired.set()
            with contextlib.suppress(Exception):
                connection.socket.shutdown(socket.SHUT_RDWR)
            if sys.platform == "win32":
                # On Windows shutdown() does not wake a recv() blocked in another thread
                # (CPython gh-91913); closing does.
                with contextlib.suppress(Exception):
                    connection.socket.close()

        watchdog = threading.Timer(self._deadline - time.monotonic(), shut_the_socket)
        watchdog.daemon = True
        watchdog.start()
        started = time.monotonic()
        try:
            raw = self._bind_and_search(connection)
        except _Failed:
            raise
        except Exception as error:
            took = time.monotonic() - started
            if fired.is_set():
                detail = f"no complete LDAP answer before the deadline ({type(error).__name__})"
            elif isinstance(error, IndexError | KeyError | ValueError | TypeError):
                # ldap3 stumbling over the bytes: something answered, but not in LDAP.
                detail = f"the answer is not LDAP ({type(error).__name__})"
            elif took < 0.5:
                detail = f"the server ended the exchange at once ({type(error).__name__}: {error})"
            else:
                detail = f"no LDAP answer ({type(error).__name__}: {error})"
            raise _Failed(ProbeReason.NO_RESPONSE, detail) from None
        finally:
            watchdog.cancel()
            with contextlib.suppress(Exception):
                connection.unbind()
        if fired.is_set():
            raise _Failed(ProbeReason.NO_RESPONSE, "no complete LDAP answer before the deadline")
        result.crl = _parse_list(raw, CRL_ATTRIBUTE)
        result.arl = _parse_list(raw, ARL_ATTRIBUTE)

    def _bind_and_search(self, connection: ldap3.Connection) -> dict[str, Any]:
        connection.open()
        if not connection.bind():
            description = connection.result.get("description", "")
            if not description or connection.closed:
                raise _Failed(ProbeReason.NO_RESPONSE, "no answer to the bind")
            raise _Failed(ProbeReason.BIND, f"anonymous bind refused: {description}")
        found = connection.search(
            self.target.base_dn,
            "(objectClass=*)",
            search_scope=ldap3.BASE,
            attributes=[CRL_ATTRIBUTE, ARL_ATTRIBUTE],
            size_limit=1,
            time_limit=max(1, math.ceil(self.receive_timeout)),
        )
        if not found or not connection.response:
            code = connection.result.get("result")
            what = (
                "no such entry"
                if code == LDAP_NO_SUCH_OBJECT
                else (connection.result.get("description") or "no entry")
            )
            raise _Failed(ProbeReason.NO_CRL, f"{self.target.base_dn}: {what}")
        raw: dict[str, Any] = connection.response[0].get("raw_attributes", {})
        return raw


def _parse_list(raw: dict[str, Any], attribute: str) -> x509.CertificateRevocationList:
    values = next((v for k, v in raw.items() if k.lower() == attribute.lower()), None)
    if not values:
        raise _Failed(ProbeReason.NO_CRL, f"the entry has no {attribute}")
    try:
        return x509.load_der_x509_crl(bytes(values[0]))
    except Exception as error:
        raise _Failed(
            ProbeReason.BAD_CRL, f"{attribute} does not parse: {type(error).__name__}"
        ) from None
