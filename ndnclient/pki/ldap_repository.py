"""The CA's LDAP repository: can it be reached, and does it give the CRL and ARL?

Behind error G04 (the issuer's FAQ: LDAP is probably blocked on the network). The probe tells
the helpdesk *which* step failed, each under its own time bound, so a blocked network gives
an answer in seconds and never the operating system's minutes-long TCP timeout:

    dns          the host name does not resolve (name resolution has its own bound)
    refused      the TCP connection is refused or rejected (nothing listens, a firewall rejects)
    timeout      the TCP connection gets no answer in time (a firewall drops the packets)
    no_response  connected, but no LDAP answer in time (a proxy or filter in the path)
    bind         the server refuses the anonymous bind
    no_crl       the CA entry, or its CRL or ARL attribute, is missing
    bad_crl      a CRL or ARL does not parse
"""

from __future__ import annotations

import contextlib
import math
import socket
import threading
import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import unquote, urlsplit

import ldap3
from cryptography import x509
from ldap3.core import exceptions as ldap_errors

CRL_ATTRIBUTE = "certificateRevocationList;binary"
ARL_ATTRIBUTE = "authorityRevocationList;binary"
LDAP_NO_SUCH_OBJECT = 32


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
    host: str
    port: int
    base_dn: str

    @classmethod
    def from_url(cls, url: str) -> LdapTarget:
        """`ldap://host:port/dn` (the settings key `ldap.url`, already validated)."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        return cls(
            scheme=scheme,
            host=parts.hostname or "",
            port=parts.port or (636 if scheme == "ldaps" else 389),
            base_dn=unquote(parts.path.lstrip("/")),
        )


@dataclass
class ProbeResult:
    """What the probe found; `reason` is None when the CRL and ARL were fetched."""

    target: LdapTarget
    reason: ProbeReason | None = None
    detail: str = ""
    address: str | None = None
    elapsed_ms: int = 0
    crl: x509.CertificateRevocationList | None = None
    arl: x509.CertificateRevocationList | None = None
    steps_ms: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.reason is None

    def facts(self) -> dict[str, Any]:
        facts: dict[str, Any] = {
            "reason": self.reason.value if self.reason else None,
            "host": self.target.host,
            "port": self.target.port,
            "base_dn": self.target.base_dn,
            "address": self.address,
            "elapsed_ms": self.elapsed_ms,
            "steps_ms": dict(self.steps_ms),
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
    """One probe of one repository entry, every step bounded."""

    def __init__(
        self,
        url: str,
        *,
        connect_timeout: float,
        receive_timeout: float,
        dns_timeout: float | None = None,
    ) -> None:
        self.target = LdapTarget.from_url(url)
        self.connect_timeout = connect_timeout
        self.receive_timeout = receive_timeout
        self.dns_timeout = dns_timeout if dns_timeout is not None else connect_timeout

    @property
    def time_bound(self) -> float:
        """The longest the probe can take: resolve, connect, then bind and search."""
        return self.dns_timeout + self.connect_timeout + 2 * self.receive_timeout

    def run(self) -> ProbeResult:
        result = ProbeResult(self.target)
        started = time.monotonic()
        try:
            addresses = self._step(result, "dns", self._resolve)
            result.address = self._step(result, "connect", lambda: self._connect(addresses))
            self._step(result, "ldap", lambda: self._fetch(result))
        except _Failed as failure:
            result.reason, result.detail = failure.reason, str(failure)
        result.elapsed_ms = round((time.monotonic() - started) * 1000)
        return result

    @staticmethod
    def _step(result: ProbeResult, name: str, action: Any) -> Any:
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

        worker = threading.Thread(target=lookup, name="ldap-dns", daemon=True)
        worker.start()
        worker.join(self.dns_timeout)
        if worker.is_alive():
            raise _Failed(
                ProbeReason.DNS, f"no answer from name resolution in {self.dns_timeout:g} s"
            )
        if "error" in outcome:
            raise _Failed(ProbeReason.DNS, f"name not resolved: {outcome['error']}")
        infos = sorted(outcome["infos"], key=lambda info: info[0] != socket.AF_INET)
        return list(dict.fromkeys(info[4][0] for info in infos))

    def _connect(self, addresses: list[str]) -> str:
        """The first address that accepts a TCP connection (two tried at most)."""
        last: _Failed | None = None
        for address in addresses[:2]:
            try:
                with socket.create_connection(
                    (address, self.target.port), timeout=self.connect_timeout
                ):
                    return address
            except TimeoutError:
                last = _Failed(
                    ProbeReason.TIMEOUT,
                    f"no answer to the TCP connection in {self.connect_timeout:g} s",
                )
            except OSError as error:
                # Refused, or rejected on the way (host or network unreachable): either way
                # an answer came back, unlike a timeout.
                last = _Failed(ProbeReason.REFUSED, f"connection refused or rejected: {error}")
        raise last or _Failed(ProbeReason.DNS, "the name resolved to no address")

    def _fetch(self, result: ProbeResult) -> None:
        server = ldap3.Server(
            result.address or self.target.host,
            port=self.target.port,
            use_ssl=self.target.scheme == "ldaps",
            get_info=ldap3.NONE,
            connect_timeout=self.connect_timeout,
        )
        connection = ldap3.Connection(
            server,
            authentication=ldap3.ANONYMOUS,
            auto_bind=ldap3.AUTO_BIND_NONE,
            # ldap3 packs this into SO_RCVTIMEO as whole seconds ('LL'): a fraction raises
            # inside ldap3. Rounded up, so the bound is never shorter than configured.
            receive_timeout=max(1, math.ceil(self.receive_timeout)),
            read_only=True,
            raise_exceptions=False,
            check_names=False,
        )
        try:
            try:
                connection.open()
                if not connection.bind():
                    description = connection.result.get("description", "")
                    raise _Failed(ProbeReason.BIND, f"anonymous bind refused: {description}")
                found = connection.search(
                    self.target.base_dn,
                    "(objectClass=*)",
                    search_scope=ldap3.BASE,
                    attributes=[CRL_ATTRIBUTE, ARL_ATTRIBUTE],
                )
            except ldap_errors.LDAPExceptionError as error:
                raise _Failed(
                    ProbeReason.NO_RESPONSE,
                    f"no LDAP answer in {self.receive_timeout:g} s ({type(error).__name__})",
                ) from None
            if not found or not connection.response:
                code = connection.result.get("result")
                what = (
                    "no such entry"
                    if code == LDAP_NO_SUCH_OBJECT
                    else (connection.result.get("description", "no entry"))
                )
                raise _Failed(ProbeReason.NO_CRL, f"{self.target.base_dn}: {what}")
            raw = connection.response[0].get("raw_attributes", {})
        finally:
            with contextlib.suppress(ldap_errors.LDAPExceptionError):
                connection.unbind()
        result.crl = _parse_list(raw, CRL_ATTRIBUTE)
        result.arl = _parse_list(raw, ARL_ATTRIBUTE)


def _parse_list(raw: dict[str, Any], attribute: str) -> x509.CertificateRevocationList:
    values = next((v for k, v in raw.items() if k.lower() == attribute.lower()), None)
    if not values:
        raise _Failed(ProbeReason.NO_CRL, f"the entry has no {attribute}")
    try:
        return x509.load_der_x509_crl(bytes(values[0]))
    except ValueError as error:
        raise _Failed(ProbeReason.BAD_CRL, f"{attribute} does not parse: {error}") from None
