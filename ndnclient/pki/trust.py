"""Trust anchors, chains and revocation (G08, G09), with `cryptography`.

The anchors are the issuer's CA certificates bundled in resources/trust/gosign/ plus the
files in the setting `trust.anchor_files`. A chain is built from the user's certificate up
to an anchor; the card's own CA certificate may serve as an intermediate, never as an
anchor (a card is not a trust source).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from ndnclient.resources import resource_path

CERTIFICATE_SUFFIXES = (".pem", ".crt", ".cer", ".der")
MAX_CHAIN_LENGTH = 5


def bundled_anchor_dir() -> Path:
    return resource_path("trust", "gosign")


@dataclass(frozen=True)
class AnchorSet:
    certificates: tuple[x509.Certificate, ...]
    problems: tuple[str, ...]  # files that could not be read, one line each


def load_certificates(path: Path) -> list[x509.Certificate]:
    """Every certificate in a PEM file (one or many), or the one in a DER file."""
    data = path.read_bytes()
    if b"-----BEGIN" in data:
        return x509.load_pem_x509_certificates(data)
    return [x509.load_der_x509_certificate(data)]


def load_anchors(extra_files: Iterable[str] = ()) -> AnchorSet:
    """The bundled GoSign CA certificates and the configured extra anchors."""
    certificates: list[x509.Certificate] = []
    problems: list[str] = []
    folder = bundled_anchor_dir()
    bundled = sorted(p for p in folder.glob("*") if p.suffix.lower() in CERTIFICATE_SUFFIXES)
    for path in [*bundled, *(Path(f).expanduser() for f in extra_files)]:
        try:
            certificates.extend(load_certificates(path))
        except (OSError, ValueError) as error:
            problems.append(f"{path}: {error}")
    return AnchorSet(tuple(certificates), tuple(problems))


def issued_by(certificate: x509.Certificate, issuer: x509.Certificate) -> bool:
    """True when `issuer`'s name and key signed `certificate`."""
    try:
        certificate.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def is_ca(certificate: x509.Certificate) -> bool:
    try:
        return bool(certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def valid_at(certificate: x509.Certificate, now: datetime) -> bool:
    return certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc


@dataclass(frozen=True)
class ChainResult:
    trusted: bool
    chain: tuple[x509.Certificate, ...]  # from the user's certificate to the anchor
    problem: str = ""  # "no_anchors", "unknown_issuer", "ca_expired", "not_a_ca"


def verify_chain(
    certificate: x509.Certificate,
    anchors: Sequence[x509.Certificate],
    intermediates: Sequence[x509.Certificate],
    now: datetime,
) -> ChainResult:
    """Build a path from `certificate` to one of `anchors`."""
    if not anchors:
        return ChainResult(False, (certificate,), "no_anchors")
    chain = [certificate]
    for _ in range(MAX_CHAIN_LENGTH):
        current = chain[-1]
        anchor = next((a for a in anchors if issued_by(current, a)), None)
        if anchor is not None:
            return _checked(chain, anchor, now)
        step = next((c for c in intermediates if c not in chain and issued_by(current, c)), None)
        if step is None:
            break
        chain.append(step)
    return ChainResult(False, tuple(chain), "unknown_issuer")


def _checked(chain: list[x509.Certificate], anchor: x509.Certificate, now: datetime) -> ChainResult:
    full = (*chain, anchor)
    for issuer in full[1:]:
        if not is_ca(issuer):
            return ChainResult(False, full, "not_a_ca")
        if not valid_at(issuer, now):
            return ChainResult(False, full, "ca_expired")
    return ChainResult(True, full)


@dataclass(frozen=True)
class RevocationResult:
    revoked_at: datetime | None
    signature_valid: bool
    stale: bool  # past its next update
    next_update: datetime | None
    issuer_matches: bool


def check_revocation(
    certificate: x509.Certificate,
    crl: x509.CertificateRevocationList,
    issuer: x509.Certificate,
    now: datetime,
) -> RevocationResult:
    """Look `certificate` up in `crl`, and check the CRL itself: signed by `issuer`,
    naming it, and not past its next update."""
    key = issuer.public_key()
    signature_valid = isinstance(key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey) and (
        crl.is_signature_valid(key)
    )
    next_update = crl.next_update_utc
    entry = crl.get_revoked_certificate_by_serial_number(certificate.serial_number)
    return RevocationResult(
        revoked_at=entry.revocation_date_utc if entry is not None else None,
        signature_valid=signature_valid,
        stale=next_update is not None and next_update < now,
        next_update=next_update,
        issuer_matches=crl.issuer == issuer.subject,
    )
