"""The allowed URL list (許可URLリスト): entries are https origins, normalised to scheme, host
and port (the default port 443 left out, as browsers write origins), with international
domain names as A-labels (punycode)."""

from __future__ import annotations

import ipaddress
import unicodedata
from urllib.parse import urlsplit

from ndnclient.settings.errors import InvalidValueError

KEY = "urls.allowed"
HTTPS_DEFAULT_PORT = 443


def _invalid(reason: str, text: str) -> InvalidValueError:
    return InvalidValueError(f"{text!r}: {reason}", key=KEY, reason=reason, value=text)


def _has_userinfo(raw: str) -> bool:
    """A user name or password before the host ("https://user:pw@host"): such an entry is
    refused without ever quoting it, since it may hold a password."""
    authority = raw.split("://", 1)[-1].split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    return "@" in authority


def normalize_origin(text: str) -> str:
    """The canonical https origin of `text`, or InvalidValueError saying what is wrong.

    A bare host name ("www.e-bisc.go.jp") is taken as https; anything after the host other
    than a lone "/" is refused, because an entry names a site, not a page.
    """
    raw = unicodedata.normalize("NFKC", text).strip()
    if not raw:
        raise _invalid("url_empty", text)
    if "://" not in raw:
        raw = "https://" + raw
    if _has_userinfo(raw):
        raise InvalidValueError(
            "an entry with a user name or password", key=KEY, reason="url_credentials", value=""
        )
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        raise _invalid("url_malformed", text) from None
    if parts.scheme.lower() != "https":
        raise _invalid("url_not_https", text)
    if parts.path not in ("", "/") or parts.query or parts.fragment or raw.endswith(("?", "#")):
        raise _invalid("url_has_path", text)
    if port == 0:
        raise _invalid("url_malformed", text)
    host = parts.hostname or ""
    if not host:
        raise _invalid("url_no_host", text)
    return f"https://{_canonical_host(host, text)}{_port_suffix(port)}"


def _canonical_host(host: str, text: str) -> str:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return f"[{address.compressed}]" if address.version == 6 else address.compressed
    host = host.rstrip(".")
    if "*" in host:
        raise _invalid("url_wildcard", text)
    import idna  # only with a URL to check: its tables cost start-up time

    try:
        return idna.encode(host, uts46=True).decode("ascii").lower()
    except idna.IDNAError:
        raise _invalid("url_bad_host", text) from None


def _port_suffix(port: int | None) -> str:
    return "" if port in (None, HTTPS_DEFAULT_PORT) else f":{port}"


def normalize_origin_list(values: list[str]) -> list[str]:
    """Every entry normalised, duplicates (after normalising) dropped, order kept."""
    return list(dict.fromkeys(normalize_origin(value) for value in values))
