"""Trust anchors, chains and revocation (G08, G09), with `cryptography`.

The anchors, in this order: the files in the setting `trust.anchor_files`, the issuer's CA
certificates bundled in resources/trust/gosign/, and (setting `trust.use_system_store`) the
operating system's store (ndnclient.pki.system_trust), read only when asked for. A chain is
built from the user's certificate up to an anchor; the card's own CA certificate and the
Windows CA store's certificates may serve as intermediates, never as anchors (a card is not
a trust source, nor is a store of intermediates).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm

from ndnclient.pki.system_trust import AnchorSource, load_system_store
from ndnclient.pki.untrusted import (
    UntrustedDataError,
    certificate_from_der,
    certificates_from_pem,
    read_limited,
)
from ndnclient.resources import resource_path

CERTIFICATE_SUFFIXES = (".pem", ".crt", ".cer", ".der")
MAX_CHAIN_LENGTH = 5


def bundled_anchor_dir() -> Path:
    return resource_path("trust", "gosign")


@dataclass(frozen=True)
class AnchorSet:
    certificates: tuple[x509.Certificate, ...]
    problems: tuple[str, ...]  # files that could not be read, one line each, with why
    unreadable_files: tuple[str, ...] = ()  # the same files' paths alone, for a sentence
    sources: tuple[AnchorSource, ...] = ()  # where each certificate came from, in order
    # Path candidates that are no anchors: the Windows CA store's certificates.
    intermediates: tuple[x509.Certificate, ...] = ()
    # What the system store gave and skipped (its entries' problems are never `problems`:
    # an odd entry there is nobody's setting to fix), or None when it was not read.
    system: dict[str, Any] | None = None

    def source_of(self, anchor: x509.Certificate) -> AnchorSource | None:
        """The store that supplied `anchor` (the first, when several hold it)."""
        for certificate, source in zip(self.certificates, self.sources, strict=False):
            if certificate is anchor:
                return source
        for certificate, source in zip(self.certificates, self.sources, strict=False):
            if certificate == anchor:
                return source
        return None


def load_certificates(path: Path) -> list[x509.Certificate]:
    """Every certificate in a PEM file (one or many), or the one in a DER file, read in
    full by the boundary: OSError or UntrustedDataError when it cannot be."""
    data = read_limited(path)
    if b"-----BEGIN" in data:
        return certificates_from_pem(data)
    return [certificate_from_der(data)]


def load_anchors(
    extra_files: Iterable[str] = (),
    *,
    use_system_store: bool = False,
    platform: str = sys.platform,
) -> AnchorSet:
    """The configured extra anchors, the bundled GoSign CA certificates, and with
    `use_system_store` the operating system's (`platform` is sys.platform's value)."""
    certificates: list[x509.Certificate] = []
    sources: list[AnchorSource] = []
    problems: list[str] = []
    unreadable: list[str] = []
    folder = bundled_anchor_dir()
    bundled = sorted(p for p in folder.glob("*") if p.suffix.lower() in CERTIFICATE_SUFFIXES)
    for path, source in [
        *((Path(f), AnchorSource.ANCHOR_FILES) for f in extra_files),
        *((p, AnchorSource.BUNDLED) for p in bundled),
    ]:
        try:
            loaded = load_certificates(path.expanduser())
            certificates.extend(loaded)
            sources.extend([source] * len(loaded))
        except OSError as error:
            problems.append(f"{path}: {error.strerror or type(error).__name__}")
            unreadable.append(str(path))
        except (ValueError, RuntimeError) as error:
            # A NUL in the name (ValueError), "~nosuchuser/" (RuntimeError): no such file.
            problems.append(f"{path}: {type(error).__name__}")
            unreadable.append(str(path))
        except UntrustedDataError as error:
            problems.append(f"{path}: {error}")
            unreadable.append(str(path))
    intermediates: tuple[x509.Certificate, ...] = ()
    system = None
    if use_system_store:
        store = load_system_store(platform=platform)
        for certificate, source in store.anchors:
            certificates.append(certificate)
            sources.append(source)
        intermediates = tuple(store.intermediates)
        system = store.facts()
    return AnchorSet(
        tuple(certificates),
        tuple(problems),
        tuple(unreadable),
        tuple(sources),
        intermediates,
        system,
    )


def issued_by(certificate: x509.Certificate, issuer: x509.Certificate) -> bool:
    """True when `issuer`'s name and key signed `certificate`."""
    try:
        certificate.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
        # A name that differs, a key that cannot have made this kind of signature, or a
        # signature that does not verify: not its issuer.
        return False
    return True


def is_ca(certificate: x509.Certificate) -> bool:
    """A CA certificate: BasicConstraints CA, and keyCertSign if it states key usages."""
    try:
        if not certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca:
            return False
    except x509.ExtensionNotFound:
        return False
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return True
    return bool(usage.key_cert_sign)


def valid_at(certificate: x509.Certificate, now: datetime) -> bool:
    return certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc


class ChainProblem(StrEnum):
    NO_ANCHORS = "no_anchors"
    UNKNOWN_ISSUER = "unknown_issuer"
    CA_EXPIRED = "ca_expired"
    NOT_A_CA = "not_a_ca"


@dataclass(frozen=True)
class ChainResult:
    trusted: bool
    chain: tuple[x509.Certificate, ...]  # from the user's certificate up to the anchor
    problem: ChainProblem | None = None

    @property
    def issuer(self) -> x509.Certificate | None:
        """The certificate that signed the user's, when the chain is trusted."""
        return self.chain[1] if self.trusted and len(self.chain) > 1 else None


# How bad a dead end is: the worst-but-closest explanation wins when no path works.
_PROBLEM_RANK = {
    ChainProblem.UNKNOWN_ISSUER: 0,
    ChainProblem.NOT_A_CA: 1,
    ChainProblem.CA_EXPIRED: 2,
}


def verify_chain(
    certificate: x509.Certificate,
    anchors: Sequence[x509.Certificate],
    intermediates: Sequence[x509.Certificate],
    now: datetime,
) -> ChainResult:
    """Search for a path from `certificate` to one of `anchors`, through `intermediates`.

    Every candidate is tried (a CA re-issued with the same key may appear twice, one copy
    expired), and an issuer counts only when it is a valid CA certificate at `now`. When no
    path works, the explanation of the most promising dead end is returned.
    """
    if not anchors:
        return ChainResult(False, (certificate,), ChainProblem.NO_ANCHORS)
    best = ChainResult(False, (certificate,), ChainProblem.UNKNOWN_ISSUER)

    def search(path: list[x509.Certificate]) -> ChainResult | None:
        nonlocal best
        current = path[-1]
        if len(path) > MAX_CHAIN_LENGTH:
            return None
        for candidate, is_anchor in [
            *((a, True) for a in anchors),
            *((i, False) for i in intermediates),
        ]:
            if candidate in path or not issued_by(current, candidate):
                continue
            problem = None
            if not is_ca(candidate):
                problem = ChainProblem.NOT_A_CA
            elif not valid_at(candidate, now):
                problem = ChainProblem.CA_EXPIRED
            if problem is not None:
                if (
                    _PROBLEM_RANK[problem]
                    > _PROBLEM_RANK[best.problem or ChainProblem.UNKNOWN_ISSUER]
                ):
                    best = ChainResult(False, (*path, candidate), problem)
                continue
            if is_anchor:
                return ChainResult(True, (*path, candidate))
            found = search([*path, candidate])
            if found is not None:
                return found
        return None

    return search([certificate]) or best


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
    try:
        signature_valid = crl.is_signature_valid(issuer.public_key())  # type: ignore[arg-type]
    except (TypeError, ValueError, UnsupportedAlgorithm):
        signature_valid = False  # a key type that cannot sign CRLs, or not this CRL's kind
    next_update = crl.next_update_utc
    entry = crl.get_revoked_certificate_by_serial_number(certificate.serial_number)
    return RevocationResult(
        revoked_at=entry.revocation_date_utc if entry is not None else None,
        signature_valid=signature_valid,
        stale=next_update is not None and next_update < now,
        next_update=next_update,
        issuer_matches=crl.issuer == issuer.subject,
    )
