"""Every settings key (docs/cli.md's table): its default and the rule that validates a value and
turns it into its one canonical JSON form. The file, the policy, `settings set`, import and
the GUI all go through these rules, so a value is checked the same way wherever it enters.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ndnclient.settings.cards import RegisteredCard
from ndnclient.settings.documents import value_problem
from ndnclient.settings.errors import InvalidValueError, SettingsError, UnknownKeyError
from ndnclient.settings.urls import normalize_origin_list

# The issuer's LDAP repository for CRL and ARL: unset ("") by default, and then the operation
# check takes it from the card certificate's CRL distribution points. IT may set an entry in
# the policy file (or the user in the settings); it wins over the certificate.
DEFAULT_LDAP_URL = ""

Normalizer = Callable[[Any], Any]


@dataclass(frozen=True)
class KeySpec:
    name: str
    default: Any
    normalize: Normalizer


def _invalid(key: str, reason: str, value: Any, **params: Any) -> InvalidValueError:
    return InvalidValueError(
        f"{key}: {reason} ({value!r})", key=key, reason=reason, value=value, **params
    )


def _choice(key: str, *options: str) -> Normalizer:
    def normalize(value: Any) -> str:
        if value not in options:
            raise _invalid(key, "choice", value, options=" / ".join(options))
        return str(value)

    return normalize


def _seconds(key: str, low: float, high: float) -> Normalizer:
    def normalize(value: Any) -> float | int:
        if isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                raise _invalid(key, "seconds", value, low=low, high=high) from None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _invalid(key, "seconds", value, low=low, high=high)
        if not math.isfinite(value) or not low < value <= high:
            raise _invalid(key, "seconds", value, low=low, high=high)
        return int(value) if float(value).is_integer() else float(value)

    return normalize


def _bool(key: str) -> Normalizer:
    def normalize(value: Any) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"  # as typed in a form or a shell
        raise _invalid(key, "boolean", value)

    return normalize


def _list_of(key: str, item: Callable[[str], str]) -> Normalizer:
    def normalize(value: Any) -> list[str]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise _invalid(key, "string_list", value)
        return list(dict.fromkeys(item(v) for v in value))

    return normalize


def _non_empty(key: str) -> Callable[[str], str]:
    def normalize(value: str) -> str:
        if not value.strip():
            raise _invalid(key, "empty", value)
        if "\0" in value:  # no file or reader name holds one; the system refuses it
            raise _invalid(key, "malformed", value.replace("\0", "\\0"))
        return value.strip()

    return normalize


def _bracketed(host: str) -> str:
    """An IPv6 address goes back into its brackets when a URL is written out again."""
    return f"[{host}]" if ":" in host else host


def _ldap_url(value: Any) -> str:
    key = "ldap.url"
    if not isinstance(value, str):
        raise _invalid(key, "ldap_url", value)
    if not value.strip():
        return ""  # unset: the certificate's distribution points are used
    if "@" in value.split("://", 1)[-1].split("/", 1)[0]:
        raise _invalid(key, "ldap_url", "<hidden>")  # a bind user or password: never echoed
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        raise _invalid(key, "ldap_url", value) from None
    scheme = parts.scheme.lower()
    if scheme not in ("ldap", "ldaps") or not parts.hostname or len(parts.path) < 2:
        raise _invalid(key, "ldap_url", value)
    if parts.query or parts.fragment:
        raise _invalid(key, "ldap_url", value)
    port = port or (636 if scheme == "ldaps" else 389)
    return f"{scheme}://{_bracketed(parts.hostname)}:{port}{parts.path}"


def _proxy_url(value: Any) -> str | None:
    key = "proxy.url"
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise _invalid(key, "proxy_url", value)
    if ":" in value.split("://", 1)[-1].split("/", 1)[0].rpartition("@")[0]:
        # user:password@ — checked before anything that could fail and quote the value.
        raise _invalid(key, "proxy_password_in_url", "<hidden>")
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        raise _invalid(key, "proxy_url", value) from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise _invalid(key, "proxy_url", value)
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise _invalid(key, "proxy_url", value)
    user = f"{parts.username}@" if parts.username else ""
    host = _bracketed(parts.hostname)
    return f"{parts.scheme.lower()}://{user}{host}{f':{port}' if port else ''}"


def _ledger_url(value: Any) -> str | None:
    """A shared ledger on a PostgreSQL server. Never with a password: that comes from the
    keyring or the PGPASSFILE, so that the URL may be shown in reports and policy files."""
    key = "ledger.url"
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise _invalid(key, "ledger_url", value)
    if ":" in value.split("://", 1)[-1].split("/", 1)[0].rpartition("@")[0]:
        raise _invalid(key, "ledger_password_in_url", "<hidden>")
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        raise _invalid(key, "ledger_url", value) from None
    if parts.scheme.lower() not in ("postgresql", "postgres") or not parts.hostname:
        raise _invalid(key, "ledger_url", value)
    if len(parts.path) < 2 or parts.fragment:
        raise _invalid(key, "ledger_url", value)
    user = f"{parts.username}@" if parts.username else ""
    host = _bracketed(parts.hostname)
    query = f"?{parts.query}" if parts.query else ""
    return f"postgresql://{user}{host}{f':{port}' if port else ''}{parts.path}{query}"


def _cards(value: Any) -> list[dict[str, str]]:
    if not isinstance(value, list):
        raise _invalid("cards", "card_entry", value)
    cards = [RegisteredCard.from_json(entry) for entry in value]
    numbers = [card.card_number for card in cards]
    if len(set(numbers)) != len(numbers):
        raise _invalid("cards", "card_duplicate", value)
    return [card.to_json() for card in cards]


def _urls(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _invalid("urls.allowed", "string_list", value)
    return normalize_origin_list(value)


KEYS: dict[str, KeySpec] = {
    spec.name: spec
    for spec in (
        KeySpec("cards", [], _cards),
        KeySpec(
            "verification_method", "ldap", _choice("verification_method", "ldap", "multitrust")
        ),
        KeySpec("ldap.url", DEFAULT_LDAP_URL, _ldap_url),
        KeySpec("ldap.connect_timeout", 3, _seconds("ldap.connect_timeout", 0, 60)),
        KeySpec("ldap.receive_timeout", 5, _seconds("ldap.receive_timeout", 0, 120)),
        KeySpec(
            "trust.anchor_files",
            [],
            _list_of("trust.anchor_files", _non_empty("trust.anchor_files")),
        ),
        KeySpec("trust.use_system_store", True, _bool("trust.use_system_store")),
        KeySpec("urls.allowed", [], _urls),
        KeySpec("proxy.url", None, _proxy_url),
        KeySpec("language", "ja", _choice("language", "ja", "en")),
        KeySpec(
            "readers.supported", [], _list_of("readers.supported", _non_empty("readers.supported"))
        ),
        # Set by the window once every first-day step was done: the home page's guide then
        # stays away on later starts (IT may preset it for PCs set up by IT).
        KeySpec("ui.first_day_done", False, _bool("ui.first_day_done")),
        # The card lending ledger: a shared PostgreSQL server (None: the SQLite file in the
        # data folder), and whether a PIN is refused for a card not lent out (IT policy).
        KeySpec("ledger.url", None, _ledger_url),
        KeySpec("ledger.require_lending", False, _bool("ledger.require_lending")),
        # Card profile files (docs/card-profile.md, section 10): layouts tried after the shipped
        # GoSign profile, for a card that does not answer it. Set by IT, normally by policy.
        KeySpec(
            "card.profile_files",
            [],
            _list_of("card.profile_files", _non_empty("card.profile_files")),
        ),
    )
}


def spec_for(key: str) -> KeySpec:
    try:
        return KEYS[key]
    except KeyError:
        raise UnknownKeyError(
            f"unknown settings key {key!r}", key=key, keys=", ".join(KEYS)
        ) from None


def normalize(key: str, value: Any) -> Any:
    """`value` validated for `key`, in its canonical JSON form. Whatever the value's shape,
    the only error is the project's own (a rule that meets a shape it never expected says
    "malformed" rather than let a TypeError out)."""
    spec = spec_for(key)
    problem = value_problem(value)
    if problem is not None:
        # Never quoted back: the value is what cannot be shown or written.
        raise InvalidValueError(f"{key}: {problem}", key=key, reason=problem)
    try:
        return spec.normalize(value)
    except SettingsError:
        raise
    except (TypeError, ValueError, LookupError, AttributeError, ArithmeticError) as error:
        raise InvalidValueError(
            f"{key}: {type(error).__name__}", key=key, reason="malformed"
        ) from None
