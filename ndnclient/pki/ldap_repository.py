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
    too_large    the answer passed the probe's budget: more bytes, LDAP messages or BER
                 elements, or more revoked certificates, than a CA's CRL and ARL can need
                 (a server sending without end)

The whole probe has one deadline, the sum of its steps' bounds (name resolution, connect,
and the answers to bind and search); each step gets what is left of it, and a watchdog shuts
the socket when it passes, so neither a silent server, nor dropped packets, nor an answer
trickling in byte by byte can keep it longer. A blocked network gives G04 in seconds, never
the operating system's minutes-long TCP timeout.

What the probe reads is bounded as well as how long: ldap3 keeps every message of an answer
until the last, and turns every BER element into Python objects, so the socket it reads
from is metered (`_AnswerMeter`): bytes are counted as they arrive, messages and elements
are counted before ldap3 sees them, and ldap3 is handed whole messages only. Past a budget
the socket is closed and the verdict is `too_large`.
"""

from __future__ import annotations

import contextlib
import ipaddress
import math
import re
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NoReturn, TypeVar
from urllib.parse import unquote, urlsplit

import ldap3
from cryptography import x509

from ndnclient.pki.untrusted import CrlTooLargeError, UntrustedDataError, crl_from_der

CRL_ATTRIBUTE = "certificateRevocationList;binary"
ARL_ATTRIBUTE = "authorityRevocationList;binary"
LDAP_NO_SUCH_OBJECT = 32
MAX_ADDRESSES = 2  # addresses tried per host (IPv4 first)

# The budget of what the probe reads (the bind's answer and the search's together). A CA's
# CRL and ARL are at most a few MB, in one entry: 16 MB leaves room for a large CRL, and
# bounds what a server sending without end can make the probe hold (ldap3 keeps a message's
# bytes and a decoded copy, so the peak is a small multiple of it).
MAX_ANSWER_BYTES = 16 * 1024 * 1024
# A server that follows the request sends three messages: the bind's answer, the one entry
# asked for (base scope, size limit 1) and the search's end. Eight leave room for a
# reference or a notice, and stop an endless stream of entries at the ninth.
MAX_ANSWER_MESSAGES = 8
# BER elements (tag, length, value) over all the messages; the three have about 25. ldap3
# makes Python objects of each: 16 MB of two-byte elements would be gigabytes and seconds.
MAX_ANSWER_ELEMENTS = 1000
# LDAP's integers (message id, result code) fit in 4 octets, and ldap3 decodes a long one in
# quadratic time; its messages nest 6 deep, and ldap3 decodes them by recursion.
MAX_INTEGER_OCTETS = 16
MAX_NESTING = 32
# Revoked certificates in the CRL and ARL together. They are read in full after the answer is
# in, at a few µs each (~0.4 s for 100,000 here), outside the watchdog's reach: this keeps
# that within a small margin past the deadline. 100,000 entries are about 3 MB of CRL.
MAX_LIST_ENTRIES = 100_000
RECEIVE_CHUNK = 64 * 1024  # bytes asked of the socket at a time
# A distribution point's URL from a certificate: longer than this is not a repository entry.
MAX_URL_LENGTH = 2048
# Distribution points tried per certificate, in order: a CA names one or two.
MAX_DISTRIBUTION_POINTS = 4
_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_ATTRIBUTE_DESCRIPTION = re.compile(r"[A-Za-z][A-Za-z0-9-]*(;[A-Za-z0-9-]+)*|[0-9]+(\.[0-9]+)+")
_HOST_NAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?")
# ldap3's own complaints about the messages (not the network): the answer is not LDAP.
LDAP3_PROTOCOL_COMPLAINTS = ("invalid messageId", "unsolicited notification", "multiple")

T = TypeVar("T")


class ProbeReason(StrEnum):
    DNS = "dns"
    REFUSED = "refused"
    TIMEOUT = "timeout"
    NO_RESPONSE = "no_response"
    BIND = "bind"
    NO_CRL = "no_crl"
    BAD_CRL = "bad_crl"
    TOO_LARGE = "too_large"


class LdapUrlError(UntrustedDataError):
    """An LDAP URL (from a certificate's CRL distribution points) this program cannot use:
    not RFC 4516, or asking for something the probe does not do. The message is technical."""

    message_key = "cert.bad_ldap_url"


@dataclass(frozen=True)
class LdapTarget:
    scheme: str
    host: str  # without brackets, as name resolution wants it
    port: int
    base_dn: str
    # The attributes the URL names (RFC 4516), e.g. ("certificateRevocationList;binary",);
    # empty when it names none (the settings' URL): then the entry must hold the CRL and ARL.
    attributes: tuple[str, ...] = ()

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

    @property
    def crl_attribute(self) -> str:
        """The attribute read as the CRL: the one the URL names (other than the ARL), else
        the standard one."""
        named = [a for a in self.attributes if _base_name(a) != _base_name(ARL_ATTRIBUTE)]
        return named[0] if named else CRL_ATTRIBUTE

    @property
    def arl_required(self) -> bool:
        """The ARL must be there when the URL names no attribute (the settings' entry holds
        both) or names the ARL; a URL that names only the CRL promises only the CRL, so the
        ARL is read when the entry has it (G08 then checks the CA), and not missed if not."""
        return not self.attributes or any(
            _base_name(a) == _base_name(ARL_ATTRIBUTE) for a in self.attributes
        )

    def describe(self) -> str:
        """The URL again, for the facts (the DN as text, the port always written)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        attributes = f"?{','.join(self.attributes)}" if self.attributes else ""
        return f"{self.scheme}://{host}:{self.port}/{self.base_dn}{attributes}"


def _base_name(attribute: str) -> str:
    return attribute.split(";", 1)[0].lower()


def _percent_decoded(text: str, what: str) -> str:
    """RFC 4516's percent-decoding, strictly: a lone `%` or bytes that are not UTF-8 are an
    error (urllib would leave the first and replace the second)."""
    if _PERCENT.search(text):
        raise LdapUrlError(f"a stray '%' in the {what}")
    try:
        return unquote(text, errors="strict")
    except UnicodeDecodeError:
        raise LdapUrlError(f"the {what} is not UTF-8 once decoded") from None


def parse_ldap_url(url: str) -> LdapTarget:
    """An LDAP URL in RFC 4516 form, `ldap://host[:port]/dn[?attributes[?scope[?filter
    [?extensions]]]]`, as a certificate's CRL distribution point gives it (`ldaps://` too).

    The host may be an IPv6 literal in brackets; the port defaults to 389 (636 for
    ldaps); the DN and the attributes are percent-decoded (a space may also stand as
    itself). The probe reads the entry itself (base scope): a filter is irrelevant to
    it, and a scope other than base or a critical extension (`!`) asks for what it does
    not do. Raises LdapUrlError (never anything else) for anything it cannot use."""
    if not isinstance(url, str):
        raise LdapUrlError("the URL is not text")
    if len(url) > MAX_URL_LENGTH:
        raise LdapUrlError(f"the URL is longer than {MAX_URL_LENGTH} characters")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        raise LdapUrlError("a control character in the URL")
    scheme, separator, rest = url.strip().partition("://")
    scheme = scheme.lower()
    if not separator or scheme not in ("ldap", "ldaps"):
        raise LdapUrlError("not an ldap:// or ldaps:// URL")
    if "#" in rest:
        raise LdapUrlError("a fragment ('#') in the URL")
    hostport, slash, path = rest.partition("/")
    if "@" in hostport:
        raise LdapUrlError("a user name in the URL")
    host, port = _host_and_port(hostport, 636 if scheme == "ldaps" else 389)
    if not slash:
        raise LdapUrlError("no DN in the URL")
    parts = path.split("?")
    if len(parts) > 5:
        raise LdapUrlError("more than four '?' in the URL")
    parts += [""] * (5 - len(parts))
    dn_text, attributes_text, scope, _filter, extensions = parts
    base_dn = _percent_decoded(dn_text, "DN").strip()
    if not base_dn:
        raise LdapUrlError("an empty DN in the URL")
    if _percent_decoded(scope, "scope").lower() not in ("", "base"):
        raise LdapUrlError(f"the scope {scope[:16]!r}: only the entry itself (base) is read")
    for extension in extensions.split(",") if extensions else []:
        if extension.startswith("!"):
            raise LdapUrlError(f"a critical extension the probe does not know: {extension[:64]!r}")
    return LdapTarget(scheme, host, port, base_dn, _attributes(attributes_text))


def _attributes(text: str) -> tuple[str, ...]:
    attributes: list[str] = []
    for part in text.split(",") if text else []:
        attribute = _percent_decoded(part, "attribute list").strip()
        if not _ATTRIBUTE_DESCRIPTION.fullmatch(attribute):
            raise LdapUrlError(f"not an attribute description: {attribute[:64]!r}")
        attributes.append(attribute)
    return tuple(attributes)


def _host_and_port(hostport: str, default_port: int) -> tuple[str, int]:
    if hostport.startswith("["):
        literal, bracket, after = hostport[1:].partition("]")
        if not bracket:
            raise LdapUrlError("an IPv6 address without its closing ']'")
        try:
            host = str(ipaddress.IPv6Address(literal))
        except ValueError:
            raise LdapUrlError(f"not an IPv6 address: {literal[:64]!r}") from None
        if after and not after.startswith(":"):
            raise LdapUrlError("text after the IPv6 address")
        port_text = after[1:] if after else ""
    else:
        host, colon, port_text = hostport.partition(":")
        if colon and not port_text:
            raise LdapUrlError("an empty port")
        host = _percent_decoded(host, "host")
        if not host:
            raise LdapUrlError("no host in the URL (the probe has no default server)")
        if not _HOST_NAME.fullmatch(host) or len(host) > 253:
            raise LdapUrlError(f"not a host name: {host[:64]!r}")
    if not port_text:
        return host, default_port
    if not port_text.isascii() or not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise LdapUrlError(f"not a port: {port_text[:16]!r}")
    return host, int(port_text)


def ldap_distribution_points(certificate: x509.Certificate) -> list[str]:
    """The ldap:// and ldaps:// URIs of the certificate's CRL distribution points
    (RFC 5280 4.2.1.13), in the certificate's order. The certificate was read through
    ndnclient.pki.untrusted, which read its extensions in full."""
    return [uri for uri in distribution_point_uris(certificate) if _is_ldap(uri)]


def distribution_point_uris(certificate: x509.Certificate) -> list[str]:
    """Every URI of the CRL distribution points (ldap, http, ...), in order."""
    try:
        extension = certificate.extensions.get_extension_for_class(x509.CRLDistributionPoints)
    except x509.ExtensionNotFound:
        return []
    uris: list[str] = []
    for point in extension.value:
        for name in point.full_name or ():
            if isinstance(name, x509.UniformResourceIdentifier):
                uris.append(name.value)
    return uris


def _is_ldap(uri: str) -> bool:
    return uri.strip().lower().startswith(("ldap://", "ldaps://"))


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
    received: dict[str, int] = field(default_factory=dict)  # what the meter counted

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
            "url": self.target.describe(),
            "address": self.address,
            "elapsed_ms": self.elapsed_ms,
            "steps_ms": dict(self.steps_ms),
            "attempts": list(self.attempts),
            "received": dict(self.received),
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


class _Overrun(OSError):
    """Raised in ldap3's receive path when the meter stops the answer: ldap3 closes the
    connection on an OSError, and the probe takes the meter's verdict."""


class _AnswerMeter:
    """The probe's budget, applied to the bytes as they come from the socket: it counts
    them, frames them into LDAP messages (as ldap3 does: a tag, a BER length), counts the
    messages from their headers, walks each whole message as ldap3's decoder will (counting
    its elements, checking its integers and nesting), and only then releases it."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.bytes_read = 0
        self.messages = 0
        self.elements = 0
        self.problem: tuple[ProbeReason, str] | None = None
        self.expired = False
        self._pending = bytearray()  # the message being received, and what follows it
        self._length: int | None = None  # its whole length, once its header is in

    def feed(self, data: bytes) -> bytes:
        """`data` as it came from the socket; returns the whole messages it completed."""
        self.bytes_read += len(data)
        if self.bytes_read > MAX_ANSWER_BYTES:
            self._stop(
                ProbeReason.TOO_LARGE,
                f"the answer passed {MAX_ANSWER_BYTES // 2**20} MB, the probe's budget",
            )
        self._pending += data
        ready: list[bytes] = []
        while True:
            if self._length is None:
                self._length = message_length(self._pending)
                if self._length is None:
                    break
                self.messages += 1
                if self.messages > MAX_ANSWER_MESSAGES:
                    self._stop(
                        ProbeReason.TOO_LARGE,
                        f"more than {MAX_ANSWER_MESSAGES} LDAP messages in the answer "
                        "(the probe asks for one entry)",
                    )
            if len(self._pending) < self._length:
                break
            with memoryview(self._pending) as view:
                message = bytes(view[: self._length])
            del self._pending[: self._length]
            self._length = None
            self._walk(message)
            ready.append(message)
        return b"".join(ready)

    def _walk(self, message: bytes) -> None:
        """Visits every element ldap3's fast decoder will decode, as it reads them: the
        message is a sequence whatever its tag, and a length may run past its parent's end.
        It enters every SEQUENCE and SET and every element of a class other than universal
        (LDAP's own tags, context, private), a few more than ldap3 may. A header cut short
        ends its region (ldap3 fails there, perhaps after decoding the other regions)."""
        header = _ber_size(message, 0)
        if header is None:
            return
        length, offset = header
        self._count()
        regions = [(offset, offset + length, 1)]
        while regions:
            start, stop, depth = regions.pop()
            stop = min(stop, len(message))
            while start < stop:
                self._count()
                if depth > MAX_NESTING:
                    self._stop(
                        ProbeReason.NO_RESPONSE,
                        f"the answer is not LDAP (BER nested more than {MAX_NESTING} deep)",
                    )
                header = _ber_size(message, start)
                if header is None:
                    break
                length, offset = header
                tag = message[start]
                kind, number = tag >> 6, tag & 0x1F
                if kind == 0 and number in (2, 10) and length > MAX_INTEGER_OCTETS:
                    self._stop(
                        ProbeReason.NO_RESPONSE,
                        f"the answer is not LDAP (an integer of {length} octets)",
                    )
                if kind != 0 or number in (16, 17):  # SEQUENCE, SET, LDAP's own tags
                    regions.append((start + offset, start + offset + length, depth + 1))
                start += offset + length

    def _count(self) -> None:
        self.elements += 1
        if self.elements > MAX_ANSWER_ELEMENTS:
            self._stop(
                ProbeReason.TOO_LARGE,
                f"more than {MAX_ANSWER_ELEMENTS} BER elements in the answer",
            )

    def _stop(self, reason: ProbeReason, detail: str) -> NoReturn:
        self.problem = (reason, detail)
        raise _Overrun(detail)

    def verdict(self) -> None:
        """The meter's verdict, if it stopped the answer."""
        if self.problem is not None:
            raise _Failed(*self.problem)


def message_length(data: bytes | bytearray) -> int | None:
    """A message's whole length from its header, as ldap3 frames the stream; None while the
    header is incomplete."""
    if len(data) < 2:
        return None
    if data[1] < 0x80:
        return 2 + data[1]
    count = data[1] & 0x7F
    if len(data) < 2 + count:
        return None
    return 2 + count + int.from_bytes(data[2 : 2 + count], "big")


def _ber_size(message: bytes, start: int) -> tuple[int, int] | None:
    """(length, offset of the value) of the element at `start`, as ldap3's fast decoder
    reads it: from the first 10 bytes only, each length octet weighted by its place."""
    header = message[start : start + 10]
    if len(header) < 2:
        return None
    if header[1] < 0x80:
        return header[1], 2
    count = header[1] & 0x7F
    octets = header[2 : 2 + count]
    return int.from_bytes(octets, "big") * 256 ** (count - len(octets)), 2 + count


class _MeteredSocket:
    """The connection's socket as ldap3 reads it once open: `recv` returns whole LDAP
    messages that the meter passed, and nothing else (ldap3 appends whatever recv gives; a
    whole message at once also spares it re-copying a growing buffer for every 4 KB). The
    rest is the socket's own."""

    def __init__(self, sock: Any, meter: _AnswerMeter) -> None:
        self._socket = sock
        self._meter = meter

    def __getattr__(self, name: str) -> Any:
        return getattr(self._socket, name)

    def recv(self, _size: int) -> bytes:
        meter = self._meter
        while True:
            if meter.problem is not None:
                raise _Overrun(meter.problem[1])
            if time.monotonic() >= meter.deadline:
                meter.expired = True
                raise TimeoutError("the probe's deadline passed")
            data: bytes = self._socket.recv(RECEIVE_CHUNK)
            if not data:
                return b""  # the end; what is pending was not a whole message
            ready = meter.feed(data)
            if ready:
                return ready


class LdapProbe:
    """One probe of one repository entry, inside one deadline."""

    def __init__(
        self,
        url: str | LdapTarget,
        *,
        connect_timeout: float,
        receive_timeout: float,
        dns_timeout: float | None = None,
        deadline: float | None = None,
    ) -> None:
        """`deadline` (time.monotonic) can only shorten the probe, e.g. to a whole run's."""
        self.target = url if isinstance(url, LdapTarget) else LdapTarget.from_url(url)
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
            # A referral names another server: the probe reports it, it does not go there
            # (ldap3 would connect outside this probe's deadline and budget).
            auto_referrals=False,
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

        meter = _AnswerMeter(self._deadline)
        watchdog = threading.Timer(self._deadline - time.monotonic(), shut_the_socket)
        watchdog.daemon = True
        watchdog.start()
        started = time.monotonic()
        try:
            raw = self._bind_and_search(connection, meter)
        except _Failed:
            raise
        except Exception as error:
            took = time.monotonic() - started
            meter.verdict()
            if fired.is_set() or meter.expired:
                detail = f"no complete LDAP answer before the deadline ({type(error).__name__})"
            elif isinstance(error, IndexError | KeyError | ValueError | TypeError):
                # ldap3 stumbling over the bytes: something answered, but not in LDAP.
                detail = f"the answer is not LDAP ({type(error).__name__})"
            elif any(complaint in str(error) for complaint in LDAP3_PROTOCOL_COMPLAINTS):
                detail = f"the answer is not LDAP ({error})"  # e.g. a wrong message id
            elif took < 0.5:
                detail = f"the server ended the exchange at once ({type(error).__name__}: {error})"
            else:
                detail = f"no LDAP answer ({type(error).__name__}: {error})"
            raise _Failed(ProbeReason.NO_RESPONSE, detail) from None
        finally:
            watchdog.cancel()
            result.received = {
                "bytes": meter.bytes_read,
                "messages": meter.messages,
                "elements": meter.elements,
            }
            with contextlib.suppress(Exception):
                connection.unbind()
            with contextlib.suppress(Exception):
                connection.socket.close()  # if ldap3 gave up on it before it could close it
        if fired.is_set():
            raise _Failed(ProbeReason.NO_RESPONSE, "no complete LDAP answer before the deadline")
        result.crl = _parse_list(raw, self.target.crl_attribute)
        if self.target.arl_required or _values(raw, ARL_ATTRIBUTE):
            result.arl = _parse_list(raw, ARL_ATTRIBUTE, MAX_LIST_ENTRIES - len(result.crl))

    def _bind_and_search(self, connection: ldap3.Connection, meter: _AnswerMeter) -> dict[str, Any]:
        connection.open()
        # From here on ldap3 reads the socket it opened through the meter.
        connection.socket = _MeteredSocket(connection.socket, meter)
        if not connection.bind():
            meter.verdict()
            description = connection.result.get("description", "")
            if not description or connection.closed:
                raise _Failed(ProbeReason.NO_RESPONSE, "no answer to the bind")
            raise _Failed(ProbeReason.BIND, f"anonymous bind refused: {description}")
        found = connection.search(
            self.target.base_dn,
            "(objectClass=*)",
            search_scope=ldap3.BASE,
            attributes=[self.target.crl_attribute, ARL_ATTRIBUTE],
            size_limit=1,
            time_limit=max(1, math.ceil(self.receive_timeout)),
        )
        if not found or not connection.response:
            meter.verdict()
            code = connection.result.get("result")
            what = (
                "no such entry"
                if code == LDAP_NO_SUCH_OBJECT
                else (connection.result.get("description") or "no entry")
            )
            raise _Failed(ProbeReason.NO_CRL, f"{self.target.base_dn}: {what}")
        raw: dict[str, Any] = connection.response[0].get("raw_attributes", {})
        return raw


def _parse_list(
    raw: dict[str, Any], attribute: str, max_entries: int = MAX_LIST_ENTRIES
) -> x509.CertificateRevocationList:
    values = _values(raw, attribute)
    if not values:
        raise _Failed(ProbeReason.NO_CRL, f"the entry has no {attribute}")
    try:
        # The boundary: read in full, or it raises; a list past the budget is not read.
        return crl_from_der(bytes(values[0]), max_entries=max_entries)
    except CrlTooLargeError as error:
        raise _Failed(ProbeReason.TOO_LARGE, f"{attribute}: {error}") from None
    except UntrustedDataError as error:
        raise _Failed(ProbeReason.BAD_CRL, f"{attribute} does not parse: {error}") from None


def _values(raw: dict[str, Any], attribute: str) -> Any:
    """The attribute's values: its exact name first, else the same attribute with other
    options (a server may add or drop `;binary`)."""
    exact = next((v for k, v in raw.items() if k.lower() == attribute.lower()), None)
    if exact:
        return exact
    return next((v for k, v in raw.items() if _base_name(k) == _base_name(attribute)), None)
