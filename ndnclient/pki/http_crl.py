"""A CRL from an `http://` distribution point of the card's certificate, for G08 when the
LDAP repository cannot be reached (G04 still reports LDAP's own verdict).

Bounded like the LDAP probe: name resolution, the connection and every read have their
bounds, and the whole fetch one deadline, so a server trickling its answer cannot hold the
check; the answer is read no further than `MAX_CRL_BYTES`, and the CRL goes through the
certificate boundary (`untrusted.crl_from_der`) with the same entry budget as G04's.
A proxy set in the settings (`proxy.url`, without credentials) is used as a browser would.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import threading
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ndnclient.errors import UserFacingError
from ndnclient.pki.untrusted import UntrustedDataError, crl_from_der

if TYPE_CHECKING:
    from cryptography import x509

MAX_CRL_BYTES = 16 * 1024 * 1024  # as G04's answer budget: a CA's CRL is a few MB at most
CHUNK = 64 * 1024


class HttpCrlError(UserFacingError):
    """The CRL could not be fetched over HTTP; the message says why, for the facts."""

    message_key = "cert.crl_http_failed"


def http_points(points: Iterable[str]) -> list[str]:
    """The `http://` URIs among a certificate's CRL distribution points, in order."""
    return [p for p in points if p.lower().startswith("http://")]


def fetch_crl(
    url: str,
    *,
    connect_timeout: float,
    receive_timeout: float,
    proxy_url: str | None = None,
    max_entries: int | None = None,
) -> x509.CertificateRevocationList:
    """The CRL at `url` (http only), within connect + receive timeouts in all."""
    deadline = time.monotonic() + connect_timeout + receive_timeout
    target = urlsplit(url)
    if target.scheme.lower() != "http" or not target.hostname:
        raise HttpCrlError(f"not an http URL: {url[:200]}")
    via = urlsplit(proxy_url) if proxy_url else None
    host = via.hostname if via is not None and via.hostname else target.hostname
    try:
        port = (via.port if via is not None else target.port) or 80
    except ValueError:
        raise HttpCrlError(f"bad port in {url[:200]}") from None
    address = _resolve(host, connect_timeout)
    connection = http.client.HTTPConnection(address, port, timeout=connect_timeout)
    try:
        path = (
            url
            if via is not None
            else (target.path or "/") + (f"?{target.query}" if target.query else "")
        )
        connection.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
        connection.putheader("Host", target.netloc)
        connection.putheader("Accept", "application/pkix-crl")
        connection.endheaders()
        _bound(connection, deadline, receive_timeout)
        response = connection.getresponse()
        if response.status != 200:
            raise HttpCrlError(f"HTTP {response.status} from {url[:200]}")
        data = bytearray()
        while len(data) <= MAX_CRL_BYTES:
            _bound(connection, deadline, receive_timeout)
            chunk = response.read1(CHUNK)
            if not chunk:
                break
            data += chunk
        if len(data) > MAX_CRL_BYTES:
            raise HttpCrlError(f"more than {MAX_CRL_BYTES // 2**20} MB from {url[:200]}")
    except (OSError, http.client.HTTPException) as error:
        raise HttpCrlError(f"{url[:200]}: {type(error).__name__}: {error}"[:300]) from None
    finally:
        connection.close()
    try:
        return crl_from_der(bytes(data), max_entries=max_entries)
    except UntrustedDataError as error:
        raise HttpCrlError(f"{url[:200]}: {error}"[:300]) from None


def _bound(connection: http.client.HTTPConnection, deadline: float, receive_timeout: float) -> None:
    """Each read waits no longer than the receive timeout nor past the deadline."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise HttpCrlError("no complete answer in time")
    if connection.sock is not None:
        connection.sock.settimeout(min(receive_timeout, left))


def _resolve(host: str, timeout: float) -> str:
    """The host's first address, name resolution bounded (the system's own may take
    minutes); an IP literal as it is."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return host
    found: list[str] = []

    def lookup() -> None:
        try:
            infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
        except OSError:
            return
        found.extend(str(info[4][0]) for info in infos)

    worker = threading.Thread(target=lookup, name="crl-http-dns", daemon=True)
    worker.start()
    worker.join(timeout)
    if not found:
        raise HttpCrlError(f"the name {host[:100]} does not resolve (in {timeout:g} s)")
    return found[0]
