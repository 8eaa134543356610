"""The allowed URL list (許可URLリスト): entries are https origins, normalised to scheme, host
and port (the default port 443 left out, as browsers write origins), with international
domain names as A-labels (punycode).

`normalize_origin` is the canonical form of any entry, the stored ones included;
`new_entry_origin` is the stricter rule for what a user adds (the GUI and `urls add`): a site
name with no dot (「電子入札」, https://e-bisc) cannot be a site on the internet and is refused.
"""

from __future__ import annotations

import ipaddress
import unicodedata
from urllib.parse import urlsplit

from ndnclient.settings.errors import InvalidValueError

KEY = "urls.allowed"
HTTPS_DEFAULT_PORT = 443


def _invalid(reason: str, text: str, **params: str) -> InvalidValueError:
    return InvalidValueError(f"{text!r}: {reason}", key=KEY, reason=reason, value=text, **params)


def _has_userinfo(raw: str) -> bool:
    """A user name or password before the host ("https://user:pw@host"): such an entry is
    refused without ever quoting it, since it may hold a password."""
    authority = raw.split("://", 1)[-1].split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    return "@" in authority


def normalize_origin(text: str) -> str:
    """The canonical https origin of `text`, or InvalidValueError saying what is wrong.

    A bare host name ("www.e-bisc.go.jp") is taken as https; anything after the host other
    than a lone "/" is refused, because an entry names a site, not a page (the error carries
    the site's origin, so that the user can be offered it: see `origin_of_page`).
    """
    origin, has_path = _origin_and_path(text)
    if has_path:
        raise _invalid("url_has_path", text, origin=origin)
    return origin


def origin_of_page(text: str) -> str:
    """The origin of a page's address pasted from the browser (path, query and fragment
    dropped), with the same checks as `normalize_origin` otherwise."""
    return _origin_and_path(text)[0]


def new_entry_origin(text: str, *, drop_path: bool = False) -> str:
    """The origin to add for what a user typed: `normalize_origin`, and a site name that
    cannot be right is refused: a name with no dot, unless it is `localhost` or an IP
    address. With `drop_path`, a page's address is taken as its site (after the user saw
    which origin that is)."""
    origin = origin_of_page(text) if drop_path else normalize_origin(text)
    host = urlsplit(origin).hostname or ""
    if "." not in host and host != "localhost" and not _is_ip_address(host):
        raise _invalid("url_no_dot", text, host=host)
    return origin


def _is_ip_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _origin_and_path(text: str) -> tuple[str, bool]:
    """The canonical origin of `text`, and whether a path, query or fragment followed it."""
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
    has_path = bool(
        parts.path not in ("", "/") or parts.query or parts.fragment or raw.endswith(("?", "#"))
    )
    if port == 0:
        raise _invalid("url_malformed", text)
    host = parts.hostname or ""
    if not host:
        raise _invalid("url_no_host", text)
    return f"https://{_canonical_host(host, text)}{_port_suffix(port)}", has_path


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
