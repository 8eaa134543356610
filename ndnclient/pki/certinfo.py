"""The certificate inspector (証明書ツール → 証明書を確認): what is in a certificate, and what
in it breaks today's rules.

`load_certificates` reads PEM (one or more), DER and PKCS#12; `inspect_certificate` returns a
plain document (the CLI prints it, the GUI shows it) with the names and their ASN.1 string
types, the SAN, the validity with days left, the key, its usages, fingerprints, and warnings:
a validity longer than the public CA rules allow on the day it was issued, a name that breaks
the CA FAQ's rules (the same ones csr.py applies), an expired or not yet valid certificate.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ndnclient.card.status import in_japan, load_card_certificate, today_in_japan
from ndnclient.errors import UserFacingError
from ndnclient.messages import Messages
from ndnclient.pki.csr_rules import MAX_LENGTH
from ndnclient.pki.untrusted import (
    Pkcs12LockedError,
    UnreadableCertificateError,
    UnsupportedCertificateError,
    certificate_from_der,
    certificates_from_pem,
    certificates_from_pkcs12,
    read_limited,
)


class CertificateFileError(UserFacingError):
    """The file holds no certificate we can read (or its PKCS#12 password is wrong)."""

    message_key = "cert.unreadable"


class CertificateReadError(CertificateFileError):
    message_key = "cert.cannot_read"


class WrongPkcs12Password(CertificateFileError):
    message_key = "cert.unreadable_password"


class Pkcs12PasswordNeeded(UserFacingError):
    message_key = "cert.password_needed"


# Public TLS server certificates: the longest validity allowed for a certificate issued on or
# after each date (CA/Browser Forum Baseline Requirements 6.3.2, ballot SC-081).
TLS_MAX_DAYS = (
    (date(2029, 3, 15), 47),
    (date(2027, 3, 15), 100),
    (date(2026, 3, 15), 200),
    (date(2020, 9, 1), 398),
)
SMIME_MAX_DAYS = 825  # CA/Browser Forum S/MIME Baseline Requirements 6.3.2 (strict profile)
SMIME_RULES_SINCE = date(2023, 9, 1)  # the S/MIME BR's effective date

SHORT_NAMES = {
    NameOID.COUNTRY_NAME: "C",
    NameOID.STATE_OR_PROVINCE_NAME: "ST",
    NameOID.LOCALITY_NAME: "L",
    NameOID.ORGANIZATION_NAME: "O",
    NameOID.ORGANIZATIONAL_UNIT_NAME: "OU",
    NameOID.COMMON_NAME: "CN",
    NameOID.SERIAL_NUMBER: "serialNumber",
    NameOID.EMAIL_ADDRESS: "emailAddress",
}
LIMITS = {"CN": MAX_LENGTH["cn"], "O": MAX_LENGTH["o"], "OU": MAX_LENGTH["ou"]}
LIMITS |= {"L": MAX_LENGTH["l"], "ST": MAX_LENGTH["st"]}
KEY_USAGES = (
    "digital_signature",
    "content_commitment",
    "key_encipherment",
    "data_encipherment",
    "key_agreement",
    "key_cert_sign",
    "crl_sign",
)


@dataclass(frozen=True)
class Warning_:
    """One broken rule; `key` names the sentence under cert.warning."""

    key: str
    params: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, **self.params}


def load_certificates(data: bytes, password: bytes | None = None) -> list[x509.Certificate]:
    """Every certificate in a PEM, DER or PKCS#12 file, the end-entity one first, each read
    in full by the boundary (ndnclient.pki.untrusted)."""
    if b"-----BEGIN CERTIFICATE-----" in data:
        try:
            return certificates_from_pem(data)
        except UnsupportedCertificateError:
            raise
        except UnreadableCertificateError as error:
            raise CertificateFileError(f"bad PEM: {error}") from None
    try:
        return [certificate_from_der(data)]
    except UnsupportedCertificateError:
        raise  # DER that parsed as far as an algorithm this program does not know
    except UnreadableCertificateError:
        pass
    try:
        return certificates_from_pkcs12(data, password)
    except Pkcs12LockedError:
        if password is None:
            raise Pkcs12PasswordNeeded("the PKCS#12 file needs its password") from None
        raise WrongPkcs12Password("wrong PKCS#12 password") from None
    except UnsupportedCertificateError:
        raise
    except UnreadableCertificateError as error:
        raise CertificateFileError(f"neither PEM, DER nor PKCS#12 ({error})") from None


def _string_type(attribute: x509.NameAttribute[Any]) -> str:
    # cryptography keeps the ASN.1 string type it parsed, under a private name only.
    kind = getattr(attribute, "_type", None)
    return str(getattr(kind, "name", "unknown"))


def _names(name: x509.Name) -> list[dict[str, str]]:
    return [
        {
            "name": SHORT_NAMES.get(attribute.oid, attribute.oid.dotted_string),
            "value": str(attribute.value),
            "type": _string_type(attribute),
        }
        for attribute in name
    ]


def _key(certificate: x509.Certificate) -> dict[str, Any]:
    key = certificate.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        return {"type": "RSA", "size": key.key_size}
    if isinstance(key, ec.EllipticCurvePublicKey):
        return {"type": "ECDSA", "size": key.curve.key_size, "curve": key.curve.name}
    if isinstance(key, dsa.DSAPublicKey):
        return {"type": "DSA", "size": key.key_size}
    if isinstance(key, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey):
        return {"type": type(key).__name__.removesuffix("PublicKey"), "size": None}
    return {"type": type(key).__name__, "size": None}


def _extension(certificate: x509.Certificate, kind: type[Any]) -> Any:
    try:
        return certificate.extensions.get_extension_for_class(kind).value
    except x509.ExtensionNotFound:
        return None


def _key_usage(certificate: x509.Certificate) -> list[str]:
    usage = _extension(certificate, x509.KeyUsage)
    if usage is None:
        return []
    used = [name for name in KEY_USAGES if getattr(usage, name)]
    if usage.key_agreement:
        used += [n for n in ("encipher_only", "decipher_only") if getattr(usage, n)]
    return used


def _purposes(certificate: x509.Certificate, dns_names: list[str]) -> tuple[bool, bool]:
    """(a TLS server certificate, an S/MIME certificate), as the CA/B rules define them."""
    eku = _extension(certificate, x509.ExtendedKeyUsage)
    usages = set(eku) if eku is not None else set()
    server = ExtendedKeyUsageOID.SERVER_AUTH in usages or (eku is None and bool(dns_names))
    smime = ExtendedKeyUsageOID.EMAIL_PROTECTION in usages
    basic = _extension(certificate, x509.BasicConstraints)
    if basic is not None and basic.ca:
        return False, False  # CA certificates follow other rules
    return server, smime


def _name_warnings(subject: list[dict[str, str]]) -> list[Warning_]:
    warnings: list[Warning_] = []
    for entry in subject:
        name, value, string_type = entry["name"], entry["value"], entry["type"]
        if name == "C":
            if len(value) != 2 or not value.isascii() or not value.isupper():
                warnings.append(Warning_("country_code", {"value": value}))
            if string_type != "PrintableString":
                warnings.append(Warning_("country_type", {"type": string_type}))
            continue
        limit = LIMITS.get(name)
        length = len(unicodedata.normalize("NFC", value))
        if limit is not None and length > limit:
            warnings.append(Warning_("too_long", {"name": name, "limit": limit, "length": length}))
        if not value.isascii() and string_type not in ("UTF8String", "unknown"):
            warnings.append(Warning_("not_utf8", {"name": name, "type": string_type}))
    return warnings


def inspect_certificate(
    certificate: x509.Certificate, today: date, now: datetime | None = None
) -> dict[str, Any]:
    """Everything a user or the helpdesk checks, and the rules it breaks."""
    subject = _names(certificate.subject)
    san = _extension(certificate, x509.SubjectAlternativeName)
    dns_names = [str(n) for n in san.get_values_for_type(x509.DNSName)] if san else []
    emails = [str(n) for n in san.get_values_for_type(x509.RFC822Name)] if san else []
    addresses = [str(n) for n in san.get_values_for_type(x509.IPAddress)] if san else []
    not_before = certificate.not_valid_before_utc
    not_after = certificate.not_valid_after_utc
    # RFC 5280: both ends are inside the validity, so a whole number of days ends at :59.
    lifetime = (not_after - not_before + timedelta(seconds=1)) / timedelta(days=1)
    # The CA/B rules count any part of a day as a whole day.
    lifetime_days = math.ceil(lifetime - 1e-9)
    # Counting today, in Japan's time as the card's status does: 1 on the last valid day.
    days_left = (in_japan(not_after).date() - today).days + 1

    warnings = _name_warnings(subject)
    server, smime = _purposes(certificate, dns_names)
    issued = not_before.date()
    if server:
        allowed = next((days for since, days in TLS_MAX_DAYS if issued >= since), None)
        if allowed is not None and lifetime_days > allowed:
            warnings.append(Warning_("tls_too_long", {"days": lifetime_days, "allowed": allowed}))
        common_names = [e["value"] for e in subject if e["name"] == "CN"]
        for cn in common_names:
            if cn.lower() not in (d.lower() for d in dns_names):
                warnings.append(Warning_("cn_not_in_san", {"value": cn}))
        for host in dns_names:
            if not host.isascii():
                warnings.append(Warning_("san_not_a_label", {"value": host}))
    if smime and issued >= SMIME_RULES_SINCE and lifetime_days > SMIME_MAX_DAYS:
        warnings.append(
            Warning_("smime_too_long", {"days": lifetime_days, "allowed": SMIME_MAX_DAYS})
        )
    expired = days_left <= 0 or (now is not None and not_after < now)
    if expired:
        warnings.append(Warning_("expired", {"date": _jst(not_after)}))
    elif in_japan(not_before).date() > today:
        warnings.append(Warning_("not_yet_valid", {"date": _jst(not_before)}))

    der = certificate.public_bytes(serialization.Encoding.DER)
    return {
        "subject": subject,
        "issuer": _names(certificate.issuer),
        "serial_number": format(certificate.serial_number, "X"),
        "san": {"dns": dns_names, "email": emails, "ip": addresses},
        "not_before": not_before.isoformat(),
        "not_after": not_after.isoformat(),
        "validity_days": lifetime_days,
        "days_left": days_left,
        "expired": expired,
        "key": _key(certificate),
        "signature_algorithm": _signature_name(certificate),
        "key_usage": _key_usage(certificate),
        "extended_key_usage": _eku_names(certificate),
        "fingerprints": {
            "sha256": _fingerprint(der, hashes.SHA256()),
            # Shown to match what issuers and Windows still print; never used to trust.
            "sha1": _fingerprint(der, hashes.SHA1()),  # noqa: S303
        },
        "warnings": [w.to_json() for w in warnings],
    }


def read_certificate_file(path: Path) -> bytes:
    """The file's bytes, up to the size of any certificate file (FileTooLargeError past it:
    a device such as /dev/zero would otherwise be read for ever)."""
    try:
        return read_limited(path)
    except OSError as error:
        detail = error.strerror or type(error).__name__
        raise CertificateReadError(f"{path}: {detail}", path=str(path), detail=detail) from None


def inspect_file(data: bytes, password: bytes | None = None) -> list[dict[str, Any]]:
    """Every certificate in the file, inspected as of today in Japan."""
    now = datetime.now(UTC)
    return [
        inspect_certificate(c, today_in_japan(), now) for c in load_certificates(data, password)
    ]


def inspect_card_certificate(der: bytes) -> list[dict[str, Any]]:
    """The certificate read from the IC card (DER, never a file format to guess), inspected
    as `inspect_file` does; CardCertificateError when it cannot be read."""
    certificate = load_card_certificate(der)
    return [inspect_certificate(certificate, today_in_japan(), datetime.now(UTC))]


def _jst(moment: datetime) -> str:
    return in_japan(moment).strftime("%Y-%m-%d %H:%M")


def _signature_name(certificate: x509.Certificate) -> str:
    oid = certificate.signature_algorithm_oid
    return getattr(oid, "_name", None) or oid.dotted_string


def _eku_names(certificate: x509.Certificate) -> list[str]:
    eku = _extension(certificate, x509.ExtendedKeyUsage)
    if eku is None:
        return []
    return [getattr(oid, "_name", None) or oid.dotted_string for oid in eku]


def _fingerprint(der: bytes, algorithm: hashes.HashAlgorithm) -> str:
    digest = hashes.Hash(algorithm)
    digest.update(der)
    return digest.finalize().hex(":").upper()


def _dn(entries: list[dict[str, str]]) -> list[str]:
    return [f"{e['name']}={e['value']}  [{e['type']}]" for e in entries]


def certificate_lines(document: dict[str, Any], messages: Messages) -> list[str]:
    """The inspected certificate as text lines, for the terminal and the GUI alike."""
    lines: list[str] = []
    t = messages.text
    lines.append(f"{t('cert.subject')}:")
    for line in _dn(document["subject"]):
        lines.append(f"  {line}")
    lines.append(f"{t('cert.issuer')}:")
    for line in _dn(document["issuer"]):
        lines.append(f"  {line}")
    lines.append(f"{t('cert.serial')}: {document['serial_number']}")
    san = document["san"]
    names = [f"DNS:{n}" for n in san["dns"]] + [f"email:{n}" for n in san["email"]]
    names += [f"IP:{n}" for n in san["ip"]]
    lines.append(f"{t('cert.san')}: {', '.join(names) or '-'}")
    not_before = datetime.fromisoformat(document["not_before"])
    not_after = datetime.fromisoformat(document["not_after"])
    remaining = (
        t("cert.expired_now")
        if document["expired"]
        else t("cert.days_left", days=document["days_left"])
    )
    validity = t(
        "cert.validity_value",
        not_before=_jst(not_before),
        not_after=_jst(not_after),
        days=document["validity_days"],
        remaining=remaining,
    )
    lines.append(f"{t('cert.validity')}: {validity}")
    key = document["key"]
    key_text = " ".join(str(part) for part in (key["type"], key["size"], key.get("curve")) if part)
    lines.append(f"{t('cert.key')}: {key_text}")
    lines.append(f"{t('cert.signature')}: {document['signature_algorithm']}")
    lines.append(f"{t('cert.key_usage')}: {', '.join(document['key_usage']) or '-'}")
    lines.append(
        f"{t('cert.extended_key_usage')}: {', '.join(document['extended_key_usage']) or '-'}"
    )
    lines.append(f"{t('cert.fingerprints')}:")
    for algorithm, value in document["fingerprints"].items():
        lines.append(f"  {algorithm.upper()}: {value}")
    warnings = document["warnings"]
    if not warnings:
        lines.append(t("cert.no_warnings"))
        return lines
    lines.append(f"{t('cert.warnings')}:")
    for warning in warnings:
        params = {k: v for k, v in warning.items() if k != "key"}
        lines.append("  ▲ " + t(f"cert.warning.{warning['key']}", **params))
    return lines
