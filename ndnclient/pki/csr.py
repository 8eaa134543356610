"""Certificate signing requests with Japanese names, right the first time (証明書ツール).

The rules are those of the CA's FAQ for server (web, ev) and e-mail (S/MIME) certificates:
the common name is the site's FQDN (web, ev) or the party's or person's name (email); O is a
legal name, never a nickname (通称); C is the two-letter code ('JP'); lengths count characters,
not bytes (CN, O, OU up to 64; L, ST up to 128); Japanese text goes in as UTF8String and C as
PrintableString; Japanese domain names become A-labels; the CN is also in the SAN.

`check_request` applies every rule at once and reports every broken one (CsrInputError), or
returns the request in the form it will be encoded (CheckedRequest) with notes on what it
changed (日本 → JP, an IDN → its A-label). Nothing here asks anything: whether O is the legal
name is a question for the caller (`CheckedRequest.o_looks_like_a_nickname`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import idna
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from ndnclient.errors import UserFacingError
from ndnclient.fileio import atomic_create
from ndnclient.messages import Messages


class CsrKind(StrEnum):
    WEB = "web"  # a server certificate for an individual or an organisation
    EV = "ev"  # extended validation: the organisation's registered name
    EMAIL = "email"  # S/MIME: the party's or person's name as the common name


class KeyType(StrEnum):
    RSA2048 = "rsa2048"
    RSA3072 = "rsa3072"
    P256 = "p256"


PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

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
        if value is None:
            continue
        bad = _unusable_character(value)
        if bad:
            problems.append(Finding(name, "bad_character", {"character": bad}))
            continue
        if (
            request.ascii_only
            and not value.isascii()
            and not (name == "cn" and request.kind is not CsrKind.EMAIL)
        ):
            problems.append(Finding(name, "not_ascii", {"value": value}))
            continue
        if name == "cn" and request.kind is not CsrKind.EMAIL:
            host = _fqdn(value, "cn", problems, notes)
            if host is None:
                continue
            if host != value.lower() and len(host) > MAX_LENGTH[name]:
                # A Japanese domain name counts in its A-label form, as the certificate holds.
                problems.append(
                    Finding(
                        "cn", "too_long_a_label", {"limit": MAX_LENGTH["cn"], "length": len(host)}
                    )
                )
                continue
            value = host
        if name == "o" and (abbreviation := COMPANY_ABBREVIATIONS.search(value)):
            problems.append(
                Finding("o", "abbreviated", {"value": value, "part": abbreviation.group(0)})
            )
            continue
        if len(value) > MAX_LENGTH[name]:
            problems.append(
                Finding(name, "too_long", {"limit": MAX_LENGTH[name], "length": len(value)})
            )
            continue
        subject[name] = value

    st = subject.get("st")
    if st and country == "JP" and not st.isascii() and st not in PREFECTURES:
        suggestion = next((p for p in sorted(PREFECTURES) if p.startswith(st)), None)
        if suggestion is None:
            # 東京都渋谷区: a prefecture and more; the prefecture is the part ST takes.
            suggestion = next((p for p in sorted(PREFECTURES) if st.startswith(p)), None)
        key = "not_a_prefecture" if suggestion else "not_a_prefecture_plain"
        notes.append(Finding("st", key, {"value": st, "suggestion": suggestion or ""}))

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


OIDS = {
    "c": NameOID.COUNTRY_NAME,
    "st": NameOID.STATE_OR_PROVINCE_NAME,
    "l": NameOID.LOCALITY_NAME,
    "o": NameOID.ORGANIZATION_NAME,
    "ou": NameOID.ORGANIZATIONAL_UNIT_NAME,
    "cn": NameOID.COMMON_NAME,
}


def generate_key(key_type: KeyType) -> PrivateKey:
    if key_type is KeyType.P256:
        return ec.generate_private_key(ec.SECP256R1())
    return rsa.generate_private_key(
        public_exponent=65537, key_size=3072 if key_type is KeyType.RSA3072 else 2048
    )


def signature_hash(key_type: KeyType) -> hashes.SHA256:
    """SHA-256 for all three: it matches P-256 and RSA up to 3072 bits (128-bit strength)."""
    return hashes.SHA256()


def build_csr(checked: CheckedRequest, key: PrivateKey) -> x509.CertificateSigningRequest:
    """The CSR, signed by `key`. cryptography writes C as PrintableString and the other
    attributes as UTF8String, which is what the CA's FAQ asks for."""
    name = x509.Name([x509.NameAttribute(OIDS[f], v) for f, v in checked.subject.items()])
    general_names: list[x509.GeneralName] = [x509.DNSName(n) for n in checked.dns_names]
    general_names += [x509.RFC822Name(a) for a in checked.email_addresses]
    builder = x509.CertificateSigningRequestBuilder().subject_name(name)
    if general_names:
        builder = builder.add_extension(x509.SubjectAlternativeName(general_names), critical=False)
    return builder.sign(key, signature_hash(checked.key_type))


def encrypted_key_pem(key: PrivateKey, passphrase: bytes) -> bytes:
    """PKCS#8, encrypted with the pass phrase (cryptography's best available: PBES2 with
    AES-256-CBC)."""
    if not passphrase:
        raise ValueError("an empty pass phrase would leave the key unprotected")
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase),
    )


def string_type(field: str) -> str:
    """The ASN.1 string type `build_csr` gives a subject field (cryptography's choice)."""
    return "PrintableString" if field == "c" else "UTF8String"


def describe_key(key_type: KeyType) -> str:
    return {
        KeyType.RSA2048: "RSA 2048, sha256WithRSAEncryption",
        KeyType.RSA3072: "RSA 3072, sha256WithRSAEncryption",
        KeyType.P256: "ECDSA P-256, ecdsa-with-SHA256",
    }[key_type]


class CsrFileError(UserFacingError):
    """A file of the CSR or its key could not be written (nothing is left half-written)."""

    message_key = "csr.cannot_write"


class CsrFileExistsError(CsrFileError):
    """The file is there already: it is never overwritten."""

    message_key = "csr.file_exists"


@dataclass(frozen=True)
class CsrFiles:
    key_path: Path
    csr_path: Path
    csr_sha256: str  # the CSR's fingerprint, to tell it from another


def make_key_and_csr(
    checked: CheckedRequest, passphrase: bytearray, key_path: Path, csr_path: Path
) -> CsrFiles:
    """Generate the key pair, sign the CSR, and write both as new files: the key PKCS#8
    encrypted with `passphrase` and readable by its owner only. Slow (key generation): never
    on the GUI thread. `passphrase` is wiped whatever happens."""
    try:
        for path in (key_path, csr_path):  # told before a key is made for nothing
            if path.exists():
                raise CsrFileExistsError(f"{path} exists", path=str(path))
        key = generate_key(checked.key_type)
        request = build_csr(checked, key)
        key_pem = encrypted_key_pem(key, bytes(passphrase))
    finally:
        passphrase[:] = bytes(len(passphrase))
    create_new_file(key_path, key_pem, private=True)
    try:
        create_new_file(csr_path, request.public_bytes(serialization.Encoding.PEM))
    except CsrFileError:
        with contextlib.suppress(OSError):  # the CSR's error is the one to tell
            key_path.unlink()  # a key without its CSR was never handed out: take it back
        raise
    digest = hashes.Hash(hashes.SHA256())
    digest.update(request.public_bytes(serialization.Encoding.DER))
    return CsrFiles(key_path, csr_path, digest.finalize().hex(":").upper())


def create_new_file(path: Path, payload: bytes, *, private: bool = False) -> None:
    """Write a new file (never over an existing one), its failure told as a sentence: the
    CSR, its key, and the signed message of `smime sign`."""
    try:
        atomic_create(path, payload, private=private)
    except FileExistsError:
        raise CsrFileExistsError(f"{path} exists", path=str(path)) from None
    except OSError as error:
        detail = error.strerror or type(error).__name__
        raise CsrFileError(f"{path}: {detail}", path=str(path), detail=detail) from None


def summary_lines(checked: CheckedRequest, files: CsrFiles, messages: Messages) -> list[str]:
    """What the user checks against the application form (the CLI and the GUI alike)."""
    t = messages.text
    lines = [t("csr.kind_line", kind=t(f"csr.kind.{checked.kind.value}"))]
    for name, value in checked.subject.items():
        lines.append(f"{t(f'csr.field.{name}')}: {value}  [{string_type(name)}]")
    names = [f"DNS:{n}" for n in checked.dns_names]
    names += [f"email:{a}" for a in checked.email_addresses]
    lines.append(t("csr.san_line", names=", ".join(names) or "-"))
    lines.append(t("csr.key_line", key=describe_key(checked.key_type)))
    lines.append(t("csr.csr_written", path=files.csr_path, fingerprint=files.csr_sha256))
    lines.append(t("csr.key_written", path=files.key_path))
    return lines


def note_lines(checked: CheckedRequest, messages: Messages) -> list[str]:
    return [messages.text(f"csr.note.{n.key}", **n.params) for n in checked.notes]
