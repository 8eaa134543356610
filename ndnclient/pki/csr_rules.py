"""Certificate signing requests with Japanese names, right the first time (証明書ツール): the
rules, checked before any key is made.

The rules are those of the CA's FAQ for server (web, ev) and e-mail (S/MIME) certificates:
the common name is the site's FQDN (web, ev) or the party's or person's name (email); O is a
legal name, never a nickname (通称); C is the two-letter code ('JP'); lengths count characters,
not bytes (CN, O, OU up to 64; L, ST up to 128); Japanese text goes in as UTF8String and C as
PrintableString; Japanese domain names become A-labels; the CN is also in the SAN.

`check_request` applies every rule at once and reports every broken one (CsrInputError), or
returns the request in the form it will be encoded (CheckedRequest) with notes on what it
changed (日本 → JP, an IDN → its A-label). Nothing here asks anything: whether O is the legal
name is a question for the caller (`CheckedRequest.o_looks_like_a_nickname`). Making the key
and the CSR is `ndnclient.pki.csr`.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import idna

from ndnclient.errors import UserFacingError


class CsrKind(StrEnum):
    WEB = "web"  # a server certificate for an individual or an organisation
    EV = "ev"  # extended validation: the organisation's registered name
    EMAIL = "email"  # S/MIME: the party's or person's name as the common name


class KeyType(StrEnum):
    RSA2048 = "rsa2048"
    RSA3072 = "rsa3072"
    P256 = "p256"


# Upper bounds in characters (RFC 5280's ub-* values, as the CA's FAQ counts them).
MAX_LENGTH = {"cn": 64, "o": 64, "ou": 64, "l": 128, "st": 128}
FIELD_ORDER = ("c", "st", "l", "o", "ou", "cn")  # the DN's order, country first
COUNTRY_NAMES = {"日本", "日本国", "JAPAN", "ニッポン", "ニホン", "にっぽん", "にほん"}
# Written beside a name, these mark a nickname or a trade name, not a legal name.
NICKNAME_MARKERS = re.compile(r"通称|旧姓|ペンネーム|芸名|屋号|[()（）「」『』【】\[\]]")
# A company's registered name spells its kind out: (株) or ㈱ is never part of it.
COMPANY_ABBREVIATIONS = re.compile(r"[(（][株有合名資社財][)）]|[㈱㈲㈴㈵㈳㈶㍿]")
# Besides control characters, lone surrogates and unassigned code points: invisible format
# characters (zero-width space, soft hyphen, BOM, direction overrides that can disguise a
# name), private-use characters (外字 that show as anything, or nothing, elsewhere) and
# line or paragraph separators cannot go into a name on a certificate.
UNUSABLE_CATEGORIES = frozenset({"Cc", "Cs", "Cn", "Cf", "Co", "Zl", "Zp"})
PREFECTURES = frozenset(
    (
        "北海道",
        "青森県",
        "岩手県",
        "宮城県",
        "秋田県",
        "山形県",
        "福島県",
        "茨城県",
        "栃木県",
        "群馬県",
        "埼玉県",
        "千葉県",
        "東京都",
        "神奈川県",
        "新潟県",
        "富山県",
        "石川県",
        "福井県",
        "山梨県",
        "長野県",
        "岐阜県",
        "静岡県",
        "愛知県",
        "三重県",
        "滋賀県",
        "京都府",
        "大阪府",
        "兵庫県",
        "奈良県",
        "和歌山県",
        "鳥取県",
        "島根県",
        "岡山県",
        "広島県",
        "山口県",
        "徳島県",
        "香川県",
        "愛媛県",
        "高知県",
        "福岡県",
        "佐賀県",
        "長崎県",
        "熊本県",
        "大分県",
        "宮崎県",
        "鹿児島県",
        "沖縄県",
    )
)
EMAIL_PATTERN = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[^@\s]+")


@dataclass(frozen=True)
class Finding:
    """One rule's verdict on one field: a problem (refused) or a note (changed, or a hint).
    `key` names the sentence under csr. in the message catalogue."""

    field: str
    key: str
    params: dict[str, Any] = dataclasses.field(default_factory=dict)


class CsrInputError(UserFacingError):
    """The request breaks one or more rules; `problems` has one sentence each."""

    message_key = "csr.invalid"

    def __init__(self, problems: list[Finding]) -> None:
        super().__init__(
            "the request breaks: " + ", ".join(f"{p.field}:{p.key}" for p in problems),
            count=len(problems),
        )
        self.problems = tuple(problems)


@dataclass(frozen=True)
class CsrRequest:
    """What the user typed."""

    kind: CsrKind
    cn: str
    o: str
    ou: str | None = None
    l: str | None = None  # noqa: E741 (the attribute's name in X.500)
    st: str | None = None
    c: str = "JP"
    san: tuple[str, ...] = ()
    key_type: KeyType = KeyType.RSA2048
    ascii_only: bool = False


@dataclass(frozen=True)
class CheckedRequest:
    """The request as it will be encoded: every value normalised, the SAN complete."""

    kind: CsrKind
    subject: dict[str, str]  # field → value, only the fields given, in FIELD_ORDER
    dns_names: tuple[str, ...]
    email_addresses: tuple[str, ...]
    key_type: KeyType
    notes: tuple[Finding, ...]

    @property
    def o_nickname_marker(self) -> str | None:
        """The part of O that looks like a nickname or a note, if any."""
        found = NICKNAME_MARKERS.search(self.subject["o"])
        return found.group(0) if found else None

    @property
    def o_looks_like_a_nickname(self) -> bool:
        return self.o_nickname_marker is not None


def _clean(text: str | None) -> str | None:
    """NFC, outer spaces (full-width ones too) gone; None for nothing."""
    if text is None:
        return None
    value = unicodedata.normalize("NFC", text).strip().strip("\u3000").strip()
    return value or None


def _unusable_character(value: str) -> str | None:
    for character in value:
        if unicodedata.category(character) in UNUSABLE_CATEGORIES:
            return f"U+{ord(character):04X}"
    return None


def _fqdn(text: str, field_name: str, problems: list[Finding], notes: list[Finding]) -> str | None:
    """A host name as it goes into the certificate: A-labels, lower case, no final dot."""
    host = unicodedata.normalize("NFKC", text).strip().rstrip(".")
    if "*" in host:
        problems.append(Finding(field_name, "wildcard", {"value": text}))
        return None
    try:
        encoded = idna.encode(host, uts46=True).decode("ascii").lower()
    except (idna.IDNAError, UnicodeError):
        problems.append(Finding(field_name, "not_fqdn", {"value": text}))
        return None
    labels = encoded.split(".")
    if len(labels) < 2 or labels[-1].isdigit():
        problems.append(Finding(field_name, "not_fqdn", {"value": text}))
        return None
    if encoded != host.lower():
        notes.append(Finding(field_name, "a_label", {"value": host, "a_label": encoded}))
    return encoded


def _email(text: str, problems: list[Finding], notes: list[Finding]) -> str | None:
    value = unicodedata.normalize("NFKC", text).strip()
    if not EMAIL_PATTERN.fullmatch(value):
        problems.append(Finding("san", "not_email", {"value": text}))
        return None
    local, domain = value.rsplit("@", 1)
    host = _fqdn(domain, "san", problems, notes)
    return f"{local}@{host}" if host else None


def _country(text: str | None, problems: list[Finding], notes: list[Finding]) -> str | None:
    value = unicodedata.normalize("NFKC", text or "").strip().upper()
    if not value:
        problems.append(Finding("c", "required"))
        return None
    if value in COUNTRY_NAMES:
        notes.append(Finding("c", "country_jp", {"value": text}))
        return "JP"
    if not re.fullmatch(r"[A-Z]{2}", value):
        problems.append(Finding("c", "country_code", {"value": text or ""}))
        return None
    return value


def check_request(request: CsrRequest) -> CheckedRequest:
    """Every rule, every field; all broken rules at once (CsrInputError)."""
    problems: list[Finding] = []
    notes: list[Finding] = []
    typed = {
        "cn": _clean(request.cn),
        "o": _clean(request.o),
        "ou": _clean(request.ou),
        "l": _clean(request.l),
        "st": _clean(request.st),
    }
    # L and ST go with O on every public server certificate (CA/Browser Forum BR 7.1.4.2.2),
    # and EV needs both; an e-mail certificate may go without.
    required = ("cn", "o") if request.kind is CsrKind.EMAIL else ("cn", "o", "l", "st")
    for name in required:
        if typed[name] is None:
            problems.append(Finding(name, "required"))

    subject: dict[str, str] = {}
    country = _country(request.c, problems, notes)
    if country:
        subject["c"] = country
    for name, value in typed.items():
        if value is not None:
            checked = _field(name, value, request, problems, notes)
            if checked is not None:
                subject[name] = checked
    _prefecture_note(subject.get("st"), country, notes)
    dns_names, email_addresses = _san(request, subject, problems, notes)
    if problems:
        raise CsrInputError(problems)
    ordered = {name: subject[name] for name in FIELD_ORDER if name in subject}
    return CheckedRequest(
        kind=request.kind,
        subject=ordered,
        dns_names=tuple(dns_names),
        email_addresses=tuple(email_addresses),
        key_type=request.key_type,
        notes=tuple(notes),
    )


def _field(
    name: str, value: str, request: CsrRequest, problems: list[Finding], notes: list[Finding]
) -> str | None:
    """One subject field as it will be encoded, or None (its problem noted)."""
    bad = _unusable_character(value)
    if bad:
        problems.append(Finding(name, "bad_character", {"character": bad}))
        return None
    host_name = name == "cn" and request.kind is not CsrKind.EMAIL
    if request.ascii_only and not value.isascii() and not host_name:
        problems.append(Finding(name, "not_ascii", {"value": value}))
        return None
    if host_name:
        host = _fqdn(value, "cn", problems, notes)
        if host is None:
            return None
        if host != value.lower() and len(host) > MAX_LENGTH[name]:
            # A Japanese domain name counts in its A-label form, as the certificate holds.
            limits = {"limit": MAX_LENGTH["cn"], "length": len(host)}
            problems.append(Finding("cn", "too_long_a_label", limits))
            return None
        value = host
    if name == "o" and (abbreviation := COMPANY_ABBREVIATIONS.search(value)):
        problems.append(
            Finding("o", "abbreviated", {"value": value, "part": abbreviation.group(0)})
        )
        return None
    if len(value) > MAX_LENGTH[name]:
        problems.append(
            Finding(name, "too_long", {"limit": MAX_LENGTH[name], "length": len(value)})
        )
        return None
    return value


def _prefecture_note(st: str | None, country: str | None, notes: list[Finding]) -> None:
    """A hint when ST does not look like a prefecture's name (not a rule of its own)."""
    if not st or country != "JP" or st.isascii() or st in PREFECTURES:
        return
    suggestion = next((p for p in sorted(PREFECTURES) if p.startswith(st)), None)
    if suggestion is None:
        # 東京都渋谷区: a prefecture and more; the prefecture is the part ST takes.
        suggestion = next((p for p in sorted(PREFECTURES) if st.startswith(p)), None)
    key = "not_a_prefecture" if suggestion else "not_a_prefecture_plain"
    notes.append(Finding("st", key, {"value": st, "suggestion": suggestion or ""}))


def _san(
    request: CsrRequest,
    subject: dict[str, str],
    problems: list[Finding],
    notes: list[Finding],
) -> tuple[list[str], list[str]]:
    """The SAN's host names and e-mail addresses; the CN goes in too (the FAQ)."""
    dns_names: list[str] = []
    email_addresses: list[str] = []
    for entry in request.san:
        if not entry.strip():
            continue
        if request.kind is CsrKind.EMAIL:
            address = _email(entry, problems, notes)
            if address and address not in email_addresses:
                email_addresses.append(address)
        else:
            host = _fqdn(entry, "san", problems, notes)
            if host and host not in dns_names:
                dns_names.append(host)
    if request.kind is CsrKind.EMAIL:
        if not email_addresses and not any(p.field == "san" for p in problems):
            problems.append(Finding("san", "email_required"))
    elif "cn" in subject and subject["cn"] not in dns_names:
        dns_names.insert(0, subject["cn"])  # the FAQ: the CN also goes into the SAN
        notes.append(Finding("san", "cn_added", {"value": subject["cn"]}))
    return dns_names, email_addresses
